#include "clantern_jpeg.h"

#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jpeglib.h>

struct lantern_jpeg_error {
    struct jpeg_error_mgr manager;
    jmp_buf escape;
};

static void lantern_jpeg_fail(j_common_ptr info) {
    struct lantern_jpeg_error *error = (struct lantern_jpeg_error *)info->err;
    longjmp(error->escape, 1);
}

static void lantern_jpeg_silence(j_common_ptr info) { (void)info; }

int lantern_jpeg_decode_grey(const unsigned char *data, size_t size, unsigned char **pixels, int *width, int *height,
                             char *message, size_t message_size) {
    struct jpeg_decompress_struct info;
    struct lantern_jpeg_error error;
    unsigned char *volatile buffer = NULL;
    info.err = jpeg_std_error(&error.manager);
    error.manager.error_exit = lantern_jpeg_fail;
    error.manager.output_message = lantern_jpeg_silence;
    if (setjmp(error.escape)) {
        char text[JMSG_LENGTH_MAX];
        (*info.err->format_message)((j_common_ptr)&info, text);
        snprintf(message, message_size, "%s", text);
        jpeg_destroy_decompress(&info);
        free(buffer);
        return -1;
    }
    jpeg_create_decompress(&info);
    jpeg_mem_src(&info, data, (unsigned long)size);
    jpeg_read_header(&info, TRUE);
    info.out_color_space = JCS_GRAYSCALE;
    jpeg_start_decompress(&info);
    size_t row = (size_t)info.output_width;
    buffer = malloc(row * info.output_height);
    if (buffer == NULL) {
        snprintf(message, message_size, "out of memory for %ux%u pixels", info.output_width, info.output_height);
        jpeg_destroy_decompress(&info);
        return -1;
    }
    while (info.output_scanline < info.output_height) {
        JSAMPROW target = buffer + row * info.output_scanline;
        jpeg_read_scanlines(&info, &target, 1);
    }
    *width = (int)info.output_width;
    *height = (int)info.output_height;
    jpeg_finish_decompress(&info);
    jpeg_destroy_decompress(&info);
    *pixels = buffer;
    return 0;
}
