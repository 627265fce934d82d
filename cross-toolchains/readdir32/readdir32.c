/*
 * readdir() for 32-bit Arm programs run by qemu-arm on a 64-bit host (LD_PRELOAD).
 *
 * qemu-user makes the host's 64-bit getdents64 call, so ext4 returns 64-bit directory offsets
 * (hashes) where a real 32-bit kernel call would get 32-bit ones. glibc's non-LFS readdir() then
 * fails with EOVERFLOW: Debian's armhf JDK sees every directory on this disk as empty
 * (File.list() returns nothing), and so would Arm NN's backend scan.
 *
 * This readdir() reads the entry with readdir64() and rewrites it in place (in the DIR's own
 * buffer, so lifetime and reuse are glibc's) as a 32-bit struct dirent. d_off becomes 0: a
 * truncated hash means nothing, and telldir/seekdir use glibc's own record of the position.
 * Inode numbers on ext4 fit 32 bits.
 * Compiled without _FILE_OFFSET_BITS=64 on purpose: struct dirent is the 32-bit layout here.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <string.h>

struct dirent *readdir(DIR *dir) {
    struct dirent64 *wide = readdir64(dir);
    if (wide == NULL) {
        return NULL;
    }
    ino64_t inode = wide->d_ino;
    unsigned char type = wide->d_type;
    unsigned short length = wide->d_reclen;
    struct dirent *narrow = (struct dirent *) wide;
    /* d_name moves to a lower offset (11 instead of 19): memmove handles the overlap; the
     * fixed fields written next lie wholly before it. */
    memmove(narrow->d_name, wide->d_name, strlen(wide->d_name) + 1);
    narrow->d_ino = (ino_t) inode;
    narrow->d_off = 0;
    narrow->d_reclen = length;
    narrow->d_type = type;
    return narrow;
}
