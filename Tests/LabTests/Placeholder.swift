// Placeholder so the package loads while the lab is written.
