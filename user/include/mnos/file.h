/*
 * Files, for programs (user/lib/file.c; docs/VFS.md, "The file API"): POSIX-shaped
 * calls on file descriptors, served by the VFS service. Descriptors 0, 1 and 2 are the
 * console (mnos/console.h), or the streams or files the program's starter gave it
 * (mnos/stream.h, user/lib/file.c); the others are files and directories the VFS opened for
 * this process's session, which the library opens on first use and ends at exit().
 * Errors come back as a negative status: -E_NOT_FOUND, -E_FS_READ_ONLY, ... (mnos/fs.h;
 * mnos_fs_strerror names them). Paths may be relative to the working directory
 * (chdir), and are resolved here first (mnos_path_resolve) and again by the VFS.
 */
#ifndef MNOS_FILE_H
#define MNOS_FILE_H

#include <types.h>
#include <mnos/fs.h>

typedef long ssize_t;
typedef int64_t off_t;

#define STDIN_FILENO    0
#define STDOUT_FILENO   1
#define STDERR_FILENO   2

struct stat {
	uint32_t st_type;               /* FS_TYPE_FILE or FS_TYPE_DIR */
	uint64_t st_size;               /* bytes; entries for a directory */
};

struct dirent {
	uint32_t d_type;                /* FS_TYPE_* */
	uint64_t d_size;
	char d_name[MNOS_FS_NAME_MAX];
};

typedef struct mnos_dir DIR;

/* open: O_* of mnos/fs.h (a mode argument, if given, is ignored: there are no owners
 * or permission bits); the descriptor, or -status. */
int open(const char *path, int flags, ...);
int close(int fd);
/* Up to n bytes: the count (0 at the end of the file), or -status. A large transfer
 * goes through the session's shared memory, 64 KiB at a time. */
ssize_t read(int fd, void *buf, size_t n);
ssize_t write(int fd, const void *buf, size_t n);
/* The new offset, or -status (E_INVAL for an offset that would be negative). */
off_t lseek(int fd, off_t off, int whence);
int stat(const char *path, struct stat *st);
int fstat(int fd, struct stat *st);
int mkdir(const char *path, ...);
int unlink(const char *path);
int rmdir(const char *path);
int rename(const char *from, const char *to);
/* The working directory starts as the environment's PWD (absolute), else "/". */
int chdir(const char *path);
/* 1 if fd is the console (not redirected to a file or a pipe), else 0. */
int isatty(int fd);
const char *getcwd(void);

/* A directory's entries: NULL from opendir with the status in *err (if err is not
 * NULL); readdir gives NULL at the end (or on an error). */
DIR *mnos_opendir(const char *path, int *err);
DIR *opendir(const char *path);
struct dirent *readdir(DIR *d);
int closedir(DIR *d);

/* What the VFS counts (VFS_STATS): sessions, open files, sessions reclaimed after
 * their client ended. For tests and tools. */
int mnos_vfs_stats(uint64_t *sessions, uint64_t *open, uint64_t *reclaimed);

#endif
