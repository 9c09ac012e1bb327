/* PulseMQ — what every fuzz target defines, for libFuzzer or fuzz-main.c */
#pragma once

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);
