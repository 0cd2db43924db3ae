"""Pilot Tracker: the dashboard of Finland's municipal employment pilots (työllisyyden kuntakokeilut)."""
