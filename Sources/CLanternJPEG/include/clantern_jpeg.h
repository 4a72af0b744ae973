// Host-only C shim over libjpeg(-turbo) for the simulator's still images: libjpeg reports errors by
// longjmp from a callback, which Swift cannot host. Never public API: LanternSim wraps it as JPEGImage.
#ifndef CLANTERN_JPEG_H
#define CLANTERN_JPEG_H

#include <stddef.h>

/// Decodes a JPEG held in memory to 8-bit grey (libjpeg's own colour conversion for colour files).
/// On success returns 0 and sets *pixels (malloc'd, width * height bytes; the caller frees it),
/// *width and *height. On failure returns -1 and writes libjpeg's message into `message`.
int lantern_jpeg_decode_grey(const unsigned char *data, size_t size, unsigned char **pixels, int *width, int *height,
                             char *message, size_t message_size);

#endif
