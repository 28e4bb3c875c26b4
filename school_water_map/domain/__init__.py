"""Pure values and rules: the annex, entities, positions, risk, the register, sites, patrols, scope."""
