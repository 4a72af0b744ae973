#!/bin/sh
# The settings of the cached Debian image, run by the bootstrap boot after debootstrap's second stage,
# with the new root as $1: what an SD image for the board has that debootstrap does not write, and
# nothing that systemd would spend the emulated board's time on at boot.
set -e
root=$1
echo lantern-emu >"$root/etc/hostname"
echo "/dev/vda / ext4 rw,noatime 0 0" >"$root/etc/fstab"
# Downloaded packages are in the image already; keep it small.
rm -f "$root"/var/cache/apt/archives/*.deb
# No console login, no periodic jobs, no time sync (there is no network): they would only slow TCG.
for unit in serial-getty@ttyAMA0.service getty@tty1.service apt-daily.timer apt-daily-upgrade.timer \
    e2scrub_all.timer e2scrub_reap.service fstrim.timer dpkg-db-backup.timer systemd-timesyncd.service \
    systemd-networkd-wait-online.service; do
    ln -sf /dev/null "$root/etc/systemd/system/$unit"
done
