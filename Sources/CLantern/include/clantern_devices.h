// C shims for the camera and GPIO: libgpiod 1.6 and libv4l2, wrapped where Swift cannot import them
// (variadic functions, function-like macros, unions). Never public API: LanternHardware re-exposes
// everything under Swift names.
#ifndef CLANTERN_DEVICES_H
#define CLANTERN_DEVICES_H

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <linux/videodev2.h>
#include <gpiod.h>
#include <libv4l2.h>

// MARK: - libgpiod 1.6

static inline int lantern_gpiod_flag_active_low(void) { return GPIOD_LINE_REQUEST_FLAG_ACTIVE_LOW; }
static inline int lantern_gpiod_flag_bias_disabled(void) { return GPIOD_LINE_REQUEST_FLAG_BIAS_DISABLE; }
static inline int lantern_gpiod_flag_bias_pull_up(void) { return GPIOD_LINE_REQUEST_FLAG_BIAS_PULL_UP; }
static inline int lantern_gpiod_flag_bias_pull_down(void) { return GPIOD_LINE_REQUEST_FLAG_BIAS_PULL_DOWN; }

/// Requests `line` for both-edge events (`output` 0) or as an output with `initial` value (`output` 1).
static inline int lantern_gpiod_request(struct gpiod_line *line, const char *consumer, int output, int flags, int initial) {
    struct gpiod_line_request_config config;
    memset(&config, 0, sizeof config);
    config.consumer = consumer;
    config.request_type = output ? GPIOD_LINE_REQUEST_DIRECTION_OUTPUT : GPIOD_LINE_REQUEST_EVENT_BOTH_EDGES;
    config.flags = flags;
    return gpiod_line_request(line, &config, initial);
}

/// Reads one pending edge event: 1 rising, 0 falling, -1 error (errno); `micros` gets the kernel's
/// timestamp (CLOCK_MONOTONIC on libgpiod 1.6 with a recent kernel).
static inline int lantern_gpiod_read_event(struct gpiod_line *line, int64_t *micros) {
    struct gpiod_line_event event;
    if (gpiod_line_event_read(line, &event) != 0) return -1;
    *micros = (int64_t)event.ts.tv_sec * 1000000 + event.ts.tv_nsec / 1000;
    return event.event_type == GPIOD_LINE_EVENT_RISING_EDGE ? 1 : 0;
}

// MARK: - libv4l2

/// `v4l2_open` is variadic.
static inline int lantern_v4l2_open(const char *path) { return v4l2_open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC, 0); }
static inline int lantern_v4l2_close(int fd) { return v4l2_close(fd); }

/// Pixel formats (v4l2_fourcc is a function-like macro).
static inline uint32_t lantern_fourcc_grey(void) { return V4L2_PIX_FMT_GREY; }
static inline uint32_t lantern_fourcc_yuyv(void) { return V4L2_PIX_FMT_YUYV; }
static inline uint32_t lantern_fourcc_nv12(void) { return V4L2_PIX_FMT_NV12; }
static inline uint32_t lantern_fourcc_mjpeg(void) { return V4L2_PIX_FMT_MJPEG; }
static inline uint32_t lantern_fourcc_yuv420(void) { return V4L2_PIX_FMT_YUV420; }

/// VIDIOC_QUERYCAP: 0 when the device captures video and streams; -1 (errno) or 1 (not capable).
static inline int lantern_v4l2_check_capture(int fd) {
    struct v4l2_capability cap;
    memset(&cap, 0, sizeof cap);
    if (v4l2_ioctl(fd, VIDIOC_QUERYCAP, &cap) != 0) return -1;
    uint32_t caps = (cap.capabilities & V4L2_CAP_DEVICE_CAPS) ? cap.device_caps : cap.capabilities;
    return ((caps & V4L2_CAP_VIDEO_CAPTURE) && (caps & V4L2_CAP_STREAMING)) ? 0 : 1;
}

/// VIDIOC_ENUM_FMT through libv4l2: 1 when the device itself offers `fourcc` for capture, 0 when it
/// does not or only libv4l2's conversion does (V4L2_FMT_FLAG_EMULATED).
static inline int lantern_v4l2_offers_natively(int fd, uint32_t fourcc) {
    struct v4l2_fmtdesc desc;
    for (uint32_t index = 0; index < 256; index++) {
        memset(&desc, 0, sizeof desc);
        desc.index = index;
        desc.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
        if (v4l2_ioctl(fd, VIDIOC_ENUM_FMT, &desc) != 0) return 0;
        if (desc.pixelformat == fourcc) return (desc.flags & V4L2_FMT_FLAG_EMULATED) ? 0 : 1;
    }
    return 0;
}

/// VIDIOC_S_FMT for a capture format; on success the driver's choice is written back. libv4l2
/// converts (e.g. MJPEG to YUV420) when the camera cannot give `fourcc` itself.
static inline int lantern_v4l2_set_format(int fd, uint32_t fourcc, uint32_t *width, uint32_t *height,
                                          uint32_t *stride, uint32_t *chosen) {
    struct v4l2_format fmt;
    memset(&fmt, 0, sizeof fmt);
    fmt.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
    fmt.fmt.pix.width = *width;
    fmt.fmt.pix.height = *height;
    fmt.fmt.pix.pixelformat = fourcc;
    fmt.fmt.pix.field = V4L2_FIELD_NONE;
    if (v4l2_ioctl(fd, VIDIOC_S_FMT, &fmt) != 0) return -1;
    *width = fmt.fmt.pix.width;
    *height = fmt.fmt.pix.height;
    *stride = fmt.fmt.pix.bytesperline;
    *chosen = fmt.fmt.pix.pixelformat;
    return 0;
}

/// VIDIOC_S_PARM: asks for `fps` frames per second (drivers may round); best effort.
static inline int lantern_v4l2_set_fps(int fd, uint32_t fps) {
    struct v4l2_streamparm parm;
    memset(&parm, 0, sizeof parm);
    parm.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
    parm.parm.capture.timeperframe.numerator = 1;
    parm.parm.capture.timeperframe.denominator = fps;
    return v4l2_ioctl(fd, VIDIOC_S_PARM, &parm);
}

/// VIDIOC_REQBUFS with mmap memory; returns the count granted or -1.
static inline int lantern_v4l2_request_buffers(int fd, uint32_t count) {
    struct v4l2_requestbuffers req;
    memset(&req, 0, sizeof req);
    req.count = count;
    req.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
    req.memory = V4L2_MEMORY_MMAP;
    if (v4l2_ioctl(fd, VIDIOC_REQBUFS, &req) != 0) return -1;
    return (int)req.count;
}

/// VIDIOC_QUERYBUF + v4l2_mmap of buffer `index`; NULL (errno) on failure.
static inline void *lantern_v4l2_map_buffer(int fd, uint32_t index, uint32_t *length) {
    struct v4l2_buffer buf;
    memset(&buf, 0, sizeof buf);
    buf.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
    buf.memory = V4L2_MEMORY_MMAP;
    buf.index = index;
    if (v4l2_ioctl(fd, VIDIOC_QUERYBUF, &buf) != 0) return NULL;
    void *p = v4l2_mmap(NULL, buf.length, PROT_READ | PROT_WRITE, MAP_SHARED, fd, buf.m.offset);
    if (p == MAP_FAILED) return NULL;
    *length = buf.length;
    return p;
}

static inline int lantern_v4l2_unmap(void *start, uint32_t length) { return v4l2_munmap(start, length); }

/// VIDIOC_QBUF of buffer `index`.
static inline int lantern_v4l2_queue(int fd, uint32_t index) {
    struct v4l2_buffer buf;
    memset(&buf, 0, sizeof buf);
    buf.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
    buf.memory = V4L2_MEMORY_MMAP;
    buf.index = index;
    return v4l2_ioctl(fd, VIDIOC_QBUF, &buf);
}

/// VIDIOC_DQBUF: the filled buffer's index, its byte count and the driver's sequence number.
static inline int lantern_v4l2_dequeue(int fd, uint32_t *index, uint32_t *bytes, uint32_t *sequence) {
    struct v4l2_buffer buf;
    memset(&buf, 0, sizeof buf);
    buf.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
    buf.memory = V4L2_MEMORY_MMAP;
    if (v4l2_ioctl(fd, VIDIOC_DQBUF, &buf) != 0) return -1;
    *index = buf.index;
    *bytes = buf.bytesused;
    *sequence = buf.sequence;
    return 0;
}

/// VIDIOC_STREAMON (`on` 1) or VIDIOC_STREAMOFF.
static inline int lantern_v4l2_stream(int fd, int on) {
    int type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
    return v4l2_ioctl(fd, on ? VIDIOC_STREAMON : VIDIOC_STREAMOFF, &type);
}

#endif
