"""Every output file the site has: one planner per kind of output, and the registry of them."""
