"""The ground floor every other package may import: who is acting (`Principal`) and how writes declare their
audit (`core.audit`). Imports nothing of the project."""
