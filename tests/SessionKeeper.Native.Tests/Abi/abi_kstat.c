/* The x86_64 kernel struct stat that fstat(2) fills (glibc's is the same on x86_64, but
 * this is the authority). */
#include <asm/stat.h>
#include "abi.h"

void abi_kstat(void)
{
    S(Stat, struct stat);
    F(Stat, Dev, struct stat, st_dev);
    F(Stat, Ino, struct stat, st_ino);
    F(Stat, Nlink, struct stat, st_nlink);
    F(Stat, Mode, struct stat, st_mode);
    F(Stat, Uid, struct stat, st_uid);
    F(Stat, Gid, struct stat, st_gid);
    F(Stat, Pad0, struct stat, __pad0);
    F(Stat, Rdev, struct stat, st_rdev);
    F(Stat, Size, struct stat, st_size);
    F(Stat, BlockSize, struct stat, st_blksize);
    F(Stat, Blocks, struct stat, st_blocks);
    F(Stat, AtimeSec, struct stat, st_atime);
    F(Stat, AtimeNsec, struct stat, st_atime_nsec);
    F(Stat, MtimeSec, struct stat, st_mtime);
    F(Stat, MtimeNsec, struct stat, st_mtime_nsec);
    F(Stat, CtimeSec, struct stat, st_ctime);
    F(Stat, CtimeNsec, struct stat, st_ctime_nsec);
    F(Stat, Unused0, struct stat, __unused[0]);
    F(Stat, Unused1, struct stat, __unused[1]);
    F(Stat, Unused2, struct stat, __unused[2]);
}
