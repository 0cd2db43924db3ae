"""The only code that writes to the indicator database: read -> tidy -> harmonise -> validate -> load."""
