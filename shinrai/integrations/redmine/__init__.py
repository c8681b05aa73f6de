"""The Redmine import: ``client`` reads Redmine's REST API, ``mapping`` translates, ``importer`` writes."""
