"""Pages of the flows app (thin: parse the request, call a selector or service, render)."""
