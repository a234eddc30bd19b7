"""Documents → clauses: manifest, compilation splitting, structure, tables and facts."""
