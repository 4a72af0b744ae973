// lantern-feeder: runs inside the emulated board (Toolchain/emulate-board). Streams a recorded clip
// (YUV4MPEG2, mono or 4:2:0, luma used) into vivid's HDMI loopback so that /dev/video0 delivers it like
// a camera:
//   lantern-feeder CLIP.y4m DONE_FILE [LOG_FILE]
// - sets up vivid: HDMI input on the capture node, HDMI output on the output node, DV timings index 0
//   (640x480p59.94) on both, YUYV on both, loop_video=1 and osd_text_mode=2 (no text over the frames);
// - places each clip frame at (0,0) of the 640x480 frame (U=V=128, the rest black) and codes the clip
//   frame number in the bottom-right corner (see FrameCode in LanternAgent: 16 blocks of 16x16);
// - plays the clip once in real time at its own rate, keeping every output buffer queued (an empty
//   output queue makes vivid fall back to its test pattern), creates DONE_FILE after the last frame and
//   then holds the last frame until SIGTERM.
// Built static for aarch64 with Debian's gcc-aarch64-linux-gnu. No pixel leaves the guest.
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <linux/videodev2.h>

#define CID_OSD_TEXT_MODE 0x00f0f001
#define CID_LOOP_VIDEO 0x00f0f025
#define NBUF 4
#define CODE_BLOCKS 16
#define CODE_BLOCK 16

static volatile sig_atomic_t stop_requested = 0;
static void on_term(int s) { (void)s; stop_requested = 1; }

static FILE *logf_;
static void logmsg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
#include <stdarg.h>
static void logmsg(const char *fmt, ...) {
    va_list ap;
    FILE *outs[2] = { stderr, logf_ };
    for (int i = 0; i < 2; i++) {
        if (!outs[i]) continue;
        va_start(ap, fmt);
        fprintf(outs[i], "feeder: ");
        vfprintf(outs[i], fmt, ap);
        fprintf(outs[i], "\n");
        fflush(outs[i]);
        va_end(ap);
    }
}

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int xioctl(int fd, unsigned long req, void *arg) {
    int r;
    do r = ioctl(fd, req, arg); while (r < 0 && errno == EINTR);
    return r;
}

static void die(const char *what) {
    logmsg("%s: %s", what, strerror(errno));
    exit(1);
}

// The clip: luma planes only.
static int clip_w, clip_h, clip_n, fps_num = 7, fps_den = 1;
static uint8_t *clip;

static void load_clip(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) die(path);
    char header[512];
    if (!fgets(header, sizeof header, f) || strncmp(header, "YUV4MPEG2", 9) != 0) { errno = EINVAL; die("not a YUV4MPEG2 clip"); }
    int chroma420 = 1;
    for (char *tok = strtok(header, " \n"); tok; tok = strtok(NULL, " \n")) {
        if (tok[0] == 'W') clip_w = atoi(tok + 1);
        else if (tok[0] == 'H') clip_h = atoi(tok + 1);
        else if (tok[0] == 'F') sscanf(tok + 1, "%d:%d", &fps_num, &fps_den);
        else if (tok[0] == 'C') chroma420 = strncmp(tok, "Cmono", 5) != 0;
    }
    size_t luma = (size_t)clip_w * clip_h, chroma = chroma420 ? 2 * ((size_t)(clip_w + 1) / 2) * ((clip_h + 1) / 2) : 0;
    char line[256];
    int cap = 0;
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, "FRAME", 5) != 0) break;
        if (clip_n == cap) {
            cap = cap ? cap * 2 : 64;
            clip = realloc(clip, (size_t)cap * luma);
            if (!clip) die("realloc");
        }
        if (fread(clip + (size_t)clip_n * luma, 1, luma, f) != luma) break;
        if (chroma) fseek(f, (long)chroma, SEEK_CUR);
        clip_n++;
    }
    fclose(f);
    if (clip_n == 0) { errno = EINVAL; die("clip has no frames"); }
    logmsg("clip %s: %dx%d, %d frames at %d/%d fps", path, clip_w, clip_h, clip_n, fps_num, fps_den);
}

static unsigned fw, fh, fstride;

// Writes luma `y` at (x, row) of a YUYV frame (chroma stays 128).
static inline void put(uint8_t *frame, unsigned x, unsigned row, uint8_t y) { frame[row * fstride + 2 * x] = y; }

static void fill_background(uint8_t *frame, size_t length) {
    for (size_t i = 0; i + 1 < length; i += 2) { frame[i] = 16; frame[i + 1] = 128; }
}

// The frame code: 16 blocks of 16x16 in the bottom-right corner, left to right:
// [1, 0, 12 bits of the clip frame number (most significant first), even parity of those bits, 0];
// 1 = luma 235, 0 = luma 16. Decoded by LanternAgent's FrameCode.
static void draw_code(uint8_t *frame, int number) {
    int bits[CODE_BLOCKS] = { 1, 0 };
    int parity = 0;
    for (int i = 0; i < 12; i++) {
        bits[2 + i] = (number >> (11 - i)) & 1;
        parity ^= bits[2 + i];
    }
    bits[14] = parity;
    bits[15] = 0;
    unsigned x0 = fw - CODE_BLOCKS * CODE_BLOCK, y0 = fh - CODE_BLOCK;
    for (int b = 0; b < CODE_BLOCKS; b++)
        for (unsigned y = 0; y < CODE_BLOCK; y++)
            for (unsigned x = 0; x < CODE_BLOCK; x++) put(frame, x0 + b * CODE_BLOCK + x, y0 + y, bits[b] ? 235 : 16);
}

static void draw_frame(uint8_t *frame, int number) {
    const uint8_t *src = clip + (size_t)number * clip_w * clip_h;
    unsigned w = (unsigned)clip_w < fw ? (unsigned)clip_w : fw, h = (unsigned)clip_h < fh ? (unsigned)clip_h : fh;
    for (unsigned y = 0; y < h; y++)
        for (unsigned x = 0; x < w; x++) put(frame, x, y, src[y * clip_w + x]);
    draw_code(frame, number);
}

static int find_dv_input(int fd) {
    for (struct v4l2_input in = { 0 }; xioctl(fd, VIDIOC_ENUMINPUT, &in) == 0; in.index++)
        if (in.capabilities & V4L2_IN_CAP_DV_TIMINGS) return (int)in.index;
    return -1;
}

static int find_dv_output(int fd) {
    for (struct v4l2_output out = { 0 }; xioctl(fd, VIDIOC_ENUMOUTPUT, &out) == 0; out.index++)
        if (out.capabilities & V4L2_OUT_CAP_DV_TIMINGS) return (int)out.index;
    return -1;
}

static void set_format(int fd, enum v4l2_buf_type type, const char *node, int tolerate_busy) {
    struct v4l2_format fmt = { .type = type };
    fmt.fmt.pix.width = fw;
    fmt.fmt.pix.height = fh;
    fmt.fmt.pix.pixelformat = V4L2_PIX_FMT_YUYV;
    fmt.fmt.pix.field = V4L2_FIELD_NONE;
    if (xioctl(fd, VIDIOC_S_FMT, &fmt) != 0) {
        if (tolerate_busy && errno == EBUSY) { logmsg("%s: S_FMT busy (already streaming); kept", node); return; }
        die("S_FMT");
    }
    if (fmt.fmt.pix.pixelformat != V4L2_PIX_FMT_YUYV || fmt.fmt.pix.width != fw || fmt.fmt.pix.height != fh) {
        errno = EINVAL;
        die("S_FMT did not give YUYV at the DV timing size");
    }
    if (type == V4L2_BUF_TYPE_VIDEO_OUTPUT) fstride = fmt.fmt.pix.bytesperline ? fmt.fmt.pix.bytesperline : 2 * fw;
}

static void set_control(int fd, uint32_t id, int32_t value, const char *name) {
    struct v4l2_control c = { .id = id, .value = value };
    if (xioctl(fd, VIDIOC_S_CTRL, &c) != 0) die(name);
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: lantern-feeder CLIP.y4m DONE_FILE [LOG_FILE]\n");
        return 2;
    }
    if (argc > 3) logf_ = fopen(argv[3], "a");
    signal(SIGTERM, on_term);
    signal(SIGINT, on_term);
    load_clip(argv[1]);

    int cap = open("/dev/video0", O_RDWR);
    if (cap < 0) die("/dev/video0");
    int out = open("/dev/video1", O_RDWR | O_NONBLOCK);
    if (out < 0) die("/dev/video1");

    int in_index = find_dv_input(cap), out_index = find_dv_output(out);
    if (in_index < 0 || out_index < 0) { errno = ENODEV; die("vivid has no HDMI input/output (module parameters)"); }
    if (xioctl(cap, VIDIOC_S_INPUT, &in_index) != 0 && errno != EBUSY) die("S_INPUT");
    if (xioctl(out, VIDIOC_S_OUTPUT, &out_index) != 0 && errno != EBUSY) die("S_OUTPUT");

    struct v4l2_enum_dv_timings e = { .index = 0 };
    if (xioctl(cap, VIDIOC_ENUM_DV_TIMINGS, &e) != 0) die("ENUM_DV_TIMINGS");
    fw = e.timings.bt.width;
    fh = e.timings.bt.height;
    struct v4l2_dv_timings t = e.timings;
    if (xioctl(cap, VIDIOC_S_DV_TIMINGS, &t) != 0 && errno != EBUSY) die("S_DV_TIMINGS (capture)");
    t = e.timings;
    if (xioctl(out, VIDIOC_S_DV_TIMINGS, &t) != 0 && errno != EBUSY) die("S_DV_TIMINGS (output)");
    set_format(cap, V4L2_BUF_TYPE_VIDEO_CAPTURE, "/dev/video0", 1);
    set_format(out, V4L2_BUF_TYPE_VIDEO_OUTPUT, "/dev/video1", 0);
    set_control(cap, CID_LOOP_VIDEO, 1, "loop_video");
    set_control(cap, CID_OSD_TEXT_MODE, 2, "osd_text_mode");
    if ((unsigned)clip_w > fw || (unsigned)clip_h > fh) logmsg("clip is larger than %ux%u: cropped", fw, fh);
    if (fw < CODE_BLOCKS * CODE_BLOCK || fh < (unsigned)clip_h + CODE_BLOCK) logmsg("warning: frame code overlaps the clip");

    struct v4l2_requestbuffers req = { .count = NBUF, .type = V4L2_BUF_TYPE_VIDEO_OUTPUT, .memory = V4L2_MEMORY_MMAP };
    if (xioctl(out, VIDIOC_REQBUFS, &req) != 0 || req.count < 2) die("REQBUFS");
    uint8_t *bufs[NBUF];
    size_t lens[NBUF];
    int shown[NBUF];
    double start = now_s();
    for (unsigned i = 0; i < req.count; i++) {
        struct v4l2_buffer b = { .index = i, .type = V4L2_BUF_TYPE_VIDEO_OUTPUT, .memory = V4L2_MEMORY_MMAP };
        if (xioctl(out, VIDIOC_QUERYBUF, &b) != 0) die("QUERYBUF");
        bufs[i] = mmap(NULL, b.length, PROT_READ | PROT_WRITE, MAP_SHARED, out, b.m.offset);
        if (bufs[i] == MAP_FAILED) die("mmap");
        lens[i] = b.length;
        fill_background(bufs[i], lens[i]);
        draw_frame(bufs[i], 0);
        shown[i] = 0;
        b.bytesused = fstride * fh;
        b.field = V4L2_FIELD_NONE;
        if (xioctl(out, VIDIOC_QBUF, &b) != 0) die("QBUF");
    }
    int type = V4L2_BUF_TYPE_VIDEO_OUTPUT;
    if (xioctl(out, VIDIOC_STREAMON, &type) != 0) die("STREAMON");
    start = now_s();
    logmsg("streaming %ux%u YUYV into /dev/video1 (clip at 0,0; frame code bottom-right)", fw, fh);

    long queued = 0, drawn = 0;
    int done = 0;
    while (!stop_requested) {
        struct pollfd p = { .fd = out, .events = POLLOUT };
        int r = poll(&p, 1, 100);
        if (r < 0 && errno != EINTR) die("poll");
        double t = now_s() - start;
        int want = (int)(t * fps_num / fps_den);
        if (want >= clip_n) {
            want = clip_n - 1;
            if (!done) {
                int fd = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC, 0644);
                if (fd >= 0) close(fd);
                done = 1;
                logmsg("clip played: %d frames in %.2f s; %ld buffers queued, %ld drawn; holding the last frame", clip_n, t, queued, drawn);
            }
        }
        if (r <= 0 || !(p.revents & POLLOUT)) continue;
        struct v4l2_buffer b = { .type = V4L2_BUF_TYPE_VIDEO_OUTPUT, .memory = V4L2_MEMORY_MMAP };
        if (xioctl(out, VIDIOC_DQBUF, &b) != 0) {
            if (errno == EAGAIN) continue;
            die("DQBUF");
        }
        if (shown[b.index] != want) {
            draw_frame(bufs[b.index], want);
            shown[b.index] = want;
            drawn++;
        }
        b.bytesused = fstride * fh;
        b.field = V4L2_FIELD_NONE;
        if (xioctl(out, VIDIOC_QBUF, &b) != 0) die("QBUF");
        queued++;
    }
    xioctl(out, VIDIOC_STREAMOFF, &type);
    logmsg("stopped: %ld buffers queued, %ld drawn", queued, drawn);
    return 0;
}
