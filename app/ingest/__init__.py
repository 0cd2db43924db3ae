"""The only code that writes to the indicator database: each source reads -> maps -> validates -> stores.

Sources (one per `pilot-tracker` command): pxweb (read by pxweb_read, mapped by pxweb_map), pilots,
areas, monitoring, boundaries (files through geofile; downloads through wfs), demo. Shared steps:
csvfiles / jsonfiles (strict reading), values (numbers, suppression, timestamps), records (what a load
passes on), validate (checks before a write), store (the writable engine and the one transaction),
memberships (group memberships and what derives from them), reference (the files in data/), errors.
"""
