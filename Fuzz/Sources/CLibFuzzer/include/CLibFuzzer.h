#ifndef CLIBFUZZER_H
#define CLIBFUZZER_H
#include <stddef.h>
#include <stdint.h>

// libFuzzer's entry point for programs that have a main of their own (libFuzzer's
// FuzzerInterface.h). The fuzz targets call it from their main.swift: SwiftPM links every
// executable with `--defsym main=<Module>_main`, so libFuzzer's own main cannot be used.
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*UserCb)(const uint8_t *Data, size_t Size));

#endif
