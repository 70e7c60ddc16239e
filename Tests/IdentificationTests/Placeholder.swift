// Placeholder so the package loads while this target is written.
