// The density model's weights file, embedded in the binary by weights.c (`.incbin`), so the file in
// Sources/LanternDensity/Weights stays the single source and cross-builds carry it. Never public API:
// LanternDensity reads it through DensityWeights.bundled().
#ifndef CLANTERN_DENSITY_WEIGHTS_H
#define CLANTERN_DENSITY_WEIGHTS_H

#include <stddef.h>

/// The first byte of the embedded density-v6.bin.
const unsigned char *lantern_density_weights_start(void);
/// Its length in bytes.
size_t lantern_density_weights_size(void);

#endif
