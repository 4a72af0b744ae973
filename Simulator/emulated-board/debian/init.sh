#!/bin/busybox sh
# /init of the initramfs for the Debian boots of the emulated board (Simulator/emulated-board/debian_systemd.py).
# The root filesystem is the virtio disk /dev/vda (ext4); the host share (virtio-9p) is /mnt/host.
# lantern_mode (a kernel argument) says which boot this is:
#   bootstrap-unpack-configure  the host unpacked and registered every package: the preinsts and
#              `dpkg --configure --pending` in a chroot, then the image's own settings; the disk becomes
#              the cached root filesystem
#   bootstrap-second-stage  the same through debootstrap's second stage (the first ran on the host
#              with --foreign), which unpacks every package again: slower
#   image      what an SD image builder does: the first-boot folder, the provisioned key and the
#              scenario's files copied in, the lantern .deb installed with dpkg in a chroot
#   board      vivid loaded, then switch_root to systemd: the board as it boots in the field
# Lines starting with "MARK " on the console are read by the host.
/bin/busybox --install -s /bin
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev 2>/dev/null
mkdir -p /tmp /mnt/host /newroot
mount -t tmpfs tmp /tmp
mark() { echo "MARK $*" >/dev/console; }
fail() {
    mark "fail $*"
    sync
    umount /newroot 2>/dev/null
    reboot -f
}
while read -r m args; do
    insmod "/lib/modules/lantern/$m.ko" $args 2>/dev/null
done </lib/modules/lantern/order
[ -b /dev/vda ] || fail "no /dev/vda (virtio_blk not loaded)"
mount -t ext4 -o rw,noatime /dev/vda /newroot || fail "cannot mount /dev/vda as ext4"
chroot_mounts() {
    mount -t proc proc /newroot/proc
    mount -t sysfs sys /newroot/sys
    mount -o bind /dev /newroot/dev
}
case "$lantern_mode" in
bootstrap-unpack-configure)
    mount -t 9p -o trans=virtio,version=9p2000.L host /mnt/host || fail "no 9p share"
    chroot_mounts
    mark "configure-start $(cut -d' ' -f1 /proc/uptime)"
    export DEBIAN_FRONTEND=noninteractive DEBCONF_NONINTERACTIVE_SEEN=true LC_ALL=C.UTF-8
    log=/mnt/host/out/configure.log
    for p in $(cat /newroot/var/lib/dpkg/lantern-preinst-order); do
        DPKG_MAINTSCRIPT_PACKAGE=${p%%:*} DPKG_MAINTSCRIPT_NAME=preinst chroot /newroot /var/lib/dpkg/info/$p.preinst install \
            >>$log 2>&1 || fail "preinst of $p failed (see configure.log)"
    done
    mark "preinsts-done $(cut -d' ' -f1 /proc/uptime)"
    chroot /newroot /usr/bin/dpkg --configure --pending --force-configure-any --force-depends >>$log 2>&1 ||
        fail "dpkg --configure --pending failed (see configure.log)"
    chroot /newroot /usr/bin/dpkg --audit >>$log 2>&1 || fail "dpkg --audit: packages left unconfigured (see configure.log)"
    rm -f /newroot/var/lib/dpkg/lantern-preinst-order
    umount /newroot/dev /newroot/sys /newroot/proc
    mark "configure-done $(cut -d' ' -f1 /proc/uptime)"
    sh /mnt/host/in/image-settings.sh /newroot || fail "image settings failed"
    mark "bootstrap-done"
    ;;
bootstrap-second-stage)
    mount -t 9p -o trans=virtio,version=9p2000.L host /mnt/host || fail "no 9p share"
    mark "second-stage-start $(cut -d' ' -f1 /proc/uptime)"
    # debootstrap prints one I: line per package; each goes to the console for the host's progress.
    chroot /newroot /debootstrap/debootstrap --second-stage 2>&1 | while IFS= read -r line; do
        echo "$line" >>/mnt/host/out/second-stage.log
        case "$line" in E:*|W:*) mark "debootstrap $line" ;; esac
    done
    [ -x /newroot/usr/bin/systemctl ] && [ ! -d /newroot/debootstrap ] || fail "debootstrap --second-stage failed (see second-stage.log)"
    mark "second-stage-done $(cut -d' ' -f1 /proc/uptime)"
    sh /mnt/host/in/image-settings.sh /newroot || fail "image settings failed"
    mark "bootstrap-done"
    ;;
image)
    mount -t 9p -o trans=virtio,version=9p2000.L host /mnt/host || fail "no 9p share"
    cp -a /mnt/host/in/overlay/. /newroot/ || fail "cannot copy the overlay into the image"
    chroot_mounts
    t=$(cut -d' ' -f1 /proc/uptime)
    chroot /newroot /usr/bin/dpkg -i /var/cache/lantern-image/lantern.deb >/mnt/host/out/dpkg.log 2>&1 || fail "dpkg -i lantern.deb failed (see dpkg.log)"
    mark "dpkg-done $t $(cut -d' ' -f1 /proc/uptime)"
    chroot /newroot /usr/bin/systemctl enable lantern-feeder.service lantern-observer.service lantern-scenario.service \
        >>/mnt/host/out/dpkg.log 2>&1 || fail "systemctl enable of the scenario's units failed"
    rm -rf /newroot/var/cache/lantern-image
    umount /newroot/dev /newroot/sys /newroot/proc
    mark "image-done"
    ;;
board)
    insmod /lib/modules/lantern/vivid.ko n_devs=1 node_types=0x101 vid_cap_nr=0 vid_out_nr=1 num_inputs=1 \
        input_types=0x3 num_outputs=1 output_types=0x1 || fail "vivid did not load"
    mark "switch-root $(cut -d' ' -f1 /proc/uptime)"
    umount /tmp
    umount /sys
    umount /proc
    exec switch_root /newroot /sbin/init
    ;;
*)
    fail "unknown lantern_mode '$lantern_mode'"
    ;;
esac
sync
umount /mnt/host 2>/dev/null
umount /newroot
reboot -f
