/*
 * Byte streams and pipes (user/lib/pipe.c, user/lib/file.c; docs/USERSPACE.md,
 * "Standard input and output").
 *
 * A stream is an endpoint capability that answers this protocol (RPC, mnos/rpc.h). The
 * console service (mnos/console.h) is one — its CONSOLE_WRITE and CONSOLE_READ are
 * STREAM_WRITE and STREAM_READ — and so is each end of a pipe.
 *
 *   STREAM_WRITE   payload: the bytes → w[0]: how many were taken (at least one; a
 *                  writer sends the rest again). A full pipe answers when it has room.
 *                  E_FS_BROKEN_PIPE: the reading end is closed.
 *   STREAM_READ    w[0]: at most this many bytes → payload: at least one byte, or none
 *                  at the end of the stream (every writing end closed and the buffer
 *                  empty). An empty pipe answers when bytes come or its end does.
 *   STREAM_CLOSE   this end is done: readers of a closed writing end see the end of
 *                  the stream, writers to a closed reading end get E_FS_BROKEN_PIPE
 *
 * A program gets streams for its standard input, output and error from whoever starts
 * it, as start capabilities named "stdin", "stdout" and "stderr" (mnos/proc.h); the file
 * API then reads and writes descriptors 0, 1 and 2 through them.
 */
#ifndef MNOS_STREAM_H
#define MNOS_STREAM_H

#include <types.h>

enum {
	STREAM_WRITE = 1,
	STREAM_READ = 2,
	STREAM_CLOSE = 4,
};

#define MNOS_PIPE_BUF   4096            /* bytes a pipe holds */
#define MNOS_PIPE_MAX   32              /* pipes a process serves at once */

/*
 * A pipe served by this process: a thread of its own (started on first use) keeps the
 * buffer and answers both ends. *rd gets the reading end, *wr the writing end: badged
 * endpoint capabilities (SEND, GRANT) to give to other programs. The pipe goes when both
 * ends are closed (mnos_stream_close). E_NO_MEMORY: MNOS_PIPE_MAX pipes are open, or no
 * slot, thread or memory can be had.
 */
int mnos_pipe_create(uint32_t *rd, uint32_t *wr);

/* Write all n bytes to the stream: n, or a negative status (what was written stays). */
long mnos_stream_write(uint32_t s, const void *buf, size_t n);
/* Read up to n bytes, waiting for at least one: the count, 0 at the end, or -status. */
long mnos_stream_read(uint32_t s, void *buf, size_t n);
/* Close this end (STREAM_CLOSE) and free the slot. */
int mnos_stream_close(uint32_t s);

#endif
