// Result codes of the FAT32 file system (firmware/fat32/file-system.ts). 0 = ok, negative = error.

export const OK: i32 = 0;
/** A block read or write on the card failed. */
export const ERR_IO: i32 = -1;
/** No card in the slot. */
export const ERR_NO_CARD: i32 = -2;
/** No FAT32 volume: no boot sector signature and no FAT32 partition in the MBR. */
export const ERR_NO_FS: i32 = -3;
/** The boot sector or a FAT chain is inconsistent (corrupt file system). */
export const ERR_BAD_FS: i32 = -4;
/** A FAT variant this driver does not handle: FAT12/16, sectors other than 512 bytes, GPT, FAT32 version > 0. */
export const ERR_UNSUPPORTED: i32 = -5;
/** mount() has not succeeded. */
export const ERR_NOT_MOUNTED: i32 = -6;
/** A path component is not a valid 8.3 (or long) name. */
export const ERR_INVALID_NAME: i32 = -7;
export const ERR_NOT_FOUND: i32 = -8;
/** The name exists with the wrong kind (mkdir over a file). */
export const ERR_EXISTS: i32 = -9;
/** A path component before the last one is a file. */
export const ERR_NOT_DIR: i32 = -10;
/** The path names a directory where a file was expected. */
export const ERR_IS_DIR: i32 = -11;
/** No free cluster left. */
export const ERR_FULL: i32 = -12;
/** All file handles are in use. */
export const ERR_TOO_MANY_OPEN: i32 = -13;
export const ERR_BAD_HANDLE: i32 = -14;
/** Unknown open mode, or read on a write handle / write on a read handle. */
export const ERR_BAD_MODE: i32 = -15;
/** The file is already open (a file can be open once), or removing an open file. */
export const ERR_BUSY: i32 = -16;
/** The file has the read-only attribute. */
export const ERR_READ_ONLY: i32 = -17;
/** FAT32 files end at 4 GiB - 1 bytes. */
export const ERR_FILE_TOO_BIG: i32 = -18;
/** A bad argument (e.g. a date outside 1980..2107). */
export const ERR_INVALID_ARG: i32 = -19;
