"""Collection's pages: entry (overview, grid, template, import), rounds, submissions, rules."""
