// Placeholder so the package loads while this target is written; removed once it has real files.
