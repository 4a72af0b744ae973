// Embeds Sources/LanternDensity/Weights/density-v6.bin. The assembler looks for an .incbin file in
// the include folders: every build of this module passes its own include folder (SwiftPM, and
// Toolchain/build-aarch64 for each C module), and the path below is relative to it. A build does not
// notice a new .bin by itself: touch this file after replacing the weights (Toolchain/train-density does).
#include "clantern_density_weights.h"

__asm__(
    "  .section .rodata.lantern_density_weights,\"a\"\n"
    "  .balign 16\n"
    "  .globl lantern_density_weights_begin\n"
    "  .hidden lantern_density_weights_begin\n"
    "  .globl lantern_density_weights_end\n"
    "  .hidden lantern_density_weights_end\n"
    "lantern_density_weights_begin:\n"
    "  .incbin \"../../LanternDensity/Weights/density-v6.bin\"\n"
    "lantern_density_weights_end:\n"
    "  .byte 0\n"
    "  .previous\n");

__attribute__((visibility("hidden"))) extern const unsigned char lantern_density_weights_begin[];
__attribute__((visibility("hidden"))) extern const unsigned char lantern_density_weights_end[];

const unsigned char *lantern_density_weights_start(void) { return lantern_density_weights_begin; }

size_t lantern_density_weights_size(void) {
    return (size_t)(lantern_density_weights_end - lantern_density_weights_begin);
}
