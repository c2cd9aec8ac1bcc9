"""The case library: schema, authority directory, case files and their loader."""
