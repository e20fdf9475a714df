/*
 * Kernel error codes, returned by value (0 = success). The system-call ABI will extend
 * this list from its own table; inside the kernel every fallible operation returns one.
 */
#ifndef KERR_H
#define KERR_H

typedef enum {
	E_OK = 0,
	E_INVAL,        /* an argument is malformed (alignment, range, flags) */
	E_NO_MEMORY,    /* out of physical memory or of a quota */
	E_EXISTS,       /* something is already there (a mapping, a name) */
	E_NOT_FOUND,    /* nothing is there */
	E_RANGE,        /* outside the allowed address or value range */
	E_PERM,         /* a capability lacks a right the operation needs */
	E_TYPE,         /* a capability names an object of the wrong type */
	E_DELETED,      /* the object went away while the caller waited on it */
	E_TIMEOUT,      /* the time allowed for a wait ran out */
	E_WOULD_BLOCK,  /* a non-blocking operation found nobody to rendezvous with */
	E_CANCELED,     /* the wait was cancelled through the thread's capability */
	E_FAULT,        /* a user pointer led to memory that is not mapped as needed */
	E_NOSYS,        /* no such system call */
} kerr_t;

const char *kerr_name(kerr_t e);

#endif
