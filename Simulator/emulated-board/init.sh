#!/bin/busybox sh
# /init of the emulated board's initramfs (assembled by Simulator/emulated-board/harness.py).
# Loads the modules, mounts the host share, then runs the scenario read from /mnt/host/in/scenario.env:
# the feeder (clip into vivid's loopback) and lanternd (camera + GPIO), and ends the guest.
# Lines starting with "MARK " on the console are timestamped by the host.
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev 2>/dev/null
mkdir -p /tmp /mnt/host
mount -t tmpfs tmp /tmp
mark() { echo "MARK $*" >/dev/console; }
finish() {
    mark "end $1"
    sync
    umount /mnt/host 2>/dev/null
    reboot -f
}
M=/lib/modules/lantern
for m in rc-core cec mc videodev videobuf2-common videobuf2-v4l2 videobuf2-memops videobuf2-vmalloc \
    videobuf2-dma-contig v4l2-dv-timings v4l2-tpg netfs fscache 9pnet 9p 9pnet_virtio \
    virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci virtio_mmio; do
    [ -e $M/$m.ko ] && insmod $M/$m.ko 2>/dev/null
done
mount -t 9p -o trans=virtio,version=9p2000.L host /mnt/host || finish "no-9p-share"
IN=/mnt/host/in
OUT=/mnt/host/out
. $IN/scenario.env
mark "booted $(cat /proc/uptime)"

# vivid: one capture node (/dev/video0) whose only input is HDMI, one HDMI output node (/dev/video1).
load_vivid() {
    insmod $M/vivid.ko n_devs=1 node_types=0x101 vid_cap_nr=0 vid_out_nr=1 num_inputs=1 input_types=0x3 \
        num_outputs=1 output_types=0x1 || { mark "vivid-failed"; return 1; }
    mark "vivid-loaded"
}
start_feeder() {
    rm -f /tmp/feeder.done
    /bin/lantern-feeder $IN/clip.y4m /tmp/feeder.done $OUT/feeder.log 2>/dev/console &
    FEEDER=$!
    n=0
    while ! grep -q streaming $OUT/feeder.log 2>/dev/null; do
        sleep 0.1
        n=$((n + 1))
        kill -0 $FEEDER 2>/dev/null || { mark "feeder-failed"; return 1; }
        [ $n -gt 200 ] && { mark "feeder-timeout"; return 1; }
    done
    mark "feeder-streaming"
}

if [ "$VIVID_AT_BOOT" = 1 ]; then
    load_vivid && start_feeder
fi

# lanternd's stderr goes to the share and, line by line, to the console (host timestamps).
mkfifo /tmp/lanternd.err
while IFS= read -r line; do echo "$line" >>$OUT/lanternd.err; echo "MARK lanternd-stderr $line" >/dev/console; done </tmp/lanternd.err &
mkdir -p /tmp/state
mark "lanternd-start"
/bin/lanternd run --board $IN/board.json --site $IN/site.json --interval $INTERVAL --state-dir /tmp/state \
    --frame-log $OUT/frames.log >$OUT/records.jsonl 2>/tmp/lanternd.err &
LANTERND=$!

if [ "$VIVID_AT_BOOT" != 1 ]; then
    sleep $VIVID_DELAY
    load_vivid && start_feeder
fi
n=0
while [ ! -e /tmp/feeder.done ]; do
    sleep 0.2
    n=$((n + 1))
    kill -0 $LANTERND 2>/dev/null || { mark "lanternd-exited-early"; break; }
    [ $n -gt $((MAX_SECONDS * 5)) ] && { mark "timeout"; break; }
done
sleep $TAIL_SECONDS
mark "lanternd-stop"
kill -TERM $LANTERND 2>/dev/null
wait $LANTERND
mark "lanternd-exit $?"
[ -n "$FEEDER" ] && kill -TERM $FEEDER 2>/dev/null && wait $FEEDER
sleep 0.3
finish ok
