"""Engine drivers: what decides when `Engine.advance` runs (docs/engine.md, "Two drivers")."""
