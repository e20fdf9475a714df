/*
 * I/O-port-range objects in the running kernel: range validation, access checks at the
 * edges, rights, real port accesses through a capability, and the kernel's reserved
 * ports.
 */
#include <ktest.h>
#include <cap.h>
#include <ioport.h>
#include <notify.h>
#include "objects.h"

#define SLOTS 16

/* Each operation with CONTROL present and missing, wrong types, bad slots; a failed
 * access touches nothing. */
KTEST(ioport, rights_matrix)
{
	struct quota q;
	struct cspace cs;
	uint32_t val = 0x1234;
	uint64_t objs = kobj_count();

	quota_init(&q, 1 << 20);
	KT_ASSERT_EQ(cspace_init(&cs, SLOTS, &q), E_OK);
	KT_ASSERT(make_ioport(&cs, 5, &q, 0x510, 4));
	KT_ASSERT(make_notification(&cs, 3, &q));
	KT_ASSERT_EQ(cap_copy(&cs, 5, &cs, 6, CAP_R_GRANT | CAP_R_DERIVE), E_OK); /* no CONTROL */
	KT_ASSERT_EQ(cap_copy(&cs, 6, &cs, 7, CAP_R_ALL), E_OK);        /* none comes back */
	KT_EXPECT_EQ(ioport_check(&cs, 5, 0x510, 1), E_OK);
	KT_EXPECT_EQ(ioport_check(&cs, 6, 0x510, 1), E_PERM);
	KT_EXPECT_EQ(ioport_check(&cs, 7, 0x510, 1), E_PERM);
	KT_EXPECT_EQ(ioport_check(&cs, 3, 0x510, 1), E_TYPE);
	KT_EXPECT_EQ(ioport_check(&cs, 0, 0x510, 1), E_RANGE);
	KT_EXPECT_EQ(ioport_check(&cs, SLOTS, 0x510, 1), E_RANGE);
	KT_EXPECT_EQ(ioport_check(&cs, 9, 0x510, 1), E_NOT_FOUND);
	/* The capability is checked before the width and the port. */
	KT_EXPECT_EQ(ioport_check(&cs, 6, 0x9999, 3), E_PERM);
	KT_EXPECT_EQ(ioport_in(&cs, 6, 0x510, 1, &val), E_PERM);
	KT_EXPECT_EQ(ioport_in(&cs, 3, 0x510, 1, &val), E_TYPE);
	KT_EXPECT_EQ(ioport_in(&cs, SLOTS, 0x510, 1, &val), E_RANGE);
	KT_EXPECT_EQ(ioport_in(&cs, 9, 0x510, 1, &val), E_NOT_FOUND);
	KT_EXPECT_EQ(ioport_in(&cs, 5, 0x514, 1, &val), E_RANGE);
	KT_EXPECT_EQ(val, 0x1234);                              /* untouched on failure */
	KT_EXPECT_EQ(ioport_out(&cs, 6, 0x510, 1, 0), E_PERM);
	KT_EXPECT_EQ(ioport_out(&cs, 3, 0x510, 1, 0), E_TYPE);
	KT_EXPECT_EQ(ioport_out(&cs, 0, 0x510, 1, 0), E_RANGE);
	KT_EXPECT_EQ(ioport_out(&cs, 9, 0x510, 1, 0), E_NOT_FOUND);
	cspace_destroy(&cs);
	KT_EXPECT_EQ(kobj_count(), objs);
	KT_EXPECT_EQ(q.used, 0);
}

KTEST(ioport, range_validation)
{
	struct quota q;
	struct ioport_range *r;
	uint64_t objs = kobj_count();

	quota_init(&q, 1 << 20);
	KT_EXPECT_EQ(ioport_create(&q, 0x510, 0, &r), E_INVAL);
	KT_EXPECT_EQ(ioport_create(&q, 0x10000, 1, &r), E_RANGE);
	KT_EXPECT_EQ(ioport_create(&q, 0xffff, 2, &r), E_RANGE);
	KT_EXPECT_EQ(ioport_create(&q, 0xfff0, 0xffffffffu, &r), E_RANGE);    /* no wrap */
	KT_EXPECT_EQ(ioport_create(&q, 0xffffffffu, 2, &r), E_RANGE);
	KT_EXPECT_EQ(q.used, 0);
	KT_ASSERT_EQ(ioport_create(&q, 0xffff, 1, &r), E_OK);
	KT_EXPECT_EQ(r->base, 0xffff);
	KT_EXPECT_EQ(r->count, 1);
	KT_EXPECT_EQ(q.used, sizeof(struct ioport_range));
	kobj_put(&r->obj);
	KT_ASSERT_EQ(ioport_create(&q, 0x1000, 0xf000, &r), E_OK);     /* up to 0xffff */
	kobj_put(&r->obj);
	KT_EXPECT_EQ(q.used, 0);
	KT_EXPECT_EQ(kobj_count(), objs);
}

/* Accesses inside the range pass, to its first and last port; anything reaching past
 * either end, or an odd width, does not. */
KTEST(ioport, access_checks_at_the_edges)
{
	struct quota q;
	struct cspace cs;

	quota_init(&q, 1 << 20);
	KT_ASSERT_EQ(cspace_init(&cs, SLOTS, &q), E_OK);
	KT_ASSERT(make_ioport(&cs, 1, &q, 0x510, 8));
	KT_ASSERT(make_ioport(&cs, 2, &q, 0xfffc, 4));
	KT_EXPECT_EQ(ioport_check(&cs, 1, 0x510, 1), E_OK);
	KT_EXPECT_EQ(ioport_check(&cs, 1, 0x517, 1), E_OK);
	KT_EXPECT_EQ(ioport_check(&cs, 1, 0x50f, 1), E_RANGE);
	KT_EXPECT_EQ(ioport_check(&cs, 1, 0x518, 1), E_RANGE);
	KT_EXPECT_EQ(ioport_check(&cs, 1, 0x50f, 2), E_RANGE);  /* straddles the start */
	KT_EXPECT_EQ(ioport_check(&cs, 1, 0x516, 2), E_OK);
	KT_EXPECT_EQ(ioport_check(&cs, 1, 0x517, 2), E_RANGE);  /* straddles the end */
	KT_EXPECT_EQ(ioport_check(&cs, 1, 0x514, 4), E_OK);
	KT_EXPECT_EQ(ioport_check(&cs, 1, 0x515, 4), E_RANGE);
	KT_EXPECT_EQ(ioport_check(&cs, 1, 0x510, 0), E_INVAL);
	KT_EXPECT_EQ(ioport_check(&cs, 1, 0x510, 3), E_INVAL);
	KT_EXPECT_EQ(ioport_check(&cs, 1, 0x510, 8), E_INVAL);
	KT_EXPECT_EQ(ioport_check(&cs, 1, 0xffffffffu, 1), E_RANGE);
	KT_EXPECT_EQ(ioport_check(&cs, 2, 0xfffc, 4), E_OK);
	KT_EXPECT_EQ(ioport_check(&cs, 2, 0xffff, 1), E_OK);
	KT_EXPECT_EQ(ioport_check(&cs, 2, 0xfffd, 4), E_RANGE);
	KT_EXPECT_EQ(ioport_check(&cs, 2, 0xffff, 2), E_RANGE);
	KT_EXPECT_EQ(ioport_check(&cs, 2, 0x10000, 1), E_RANGE);
	KT_EXPECT_EQ(ioport_check(&cs, 2, 0xfffffffeu, 4), E_RANGE);
	cspace_destroy(&cs);
	KT_EXPECT_EQ(q.used, 0);
}

/* Real port accesses through a capability: the RTC's register A, whose rate bits are
 * writable and read back. */
KTEST(ioport, in_out_through_the_cap)
{
	struct quota q;
	struct cspace cs;
	uint32_t v = 0;

	quota_init(&q, 1 << 20);
	KT_ASSERT_EQ(cspace_init(&cs, SLOTS, &q), E_OK);
	KT_ASSERT(make_ioport(&cs, 1, &q, CMOS_INDEX, 2));
	uint8_t a = cmos_read(&cs, 1, RTC_A);
	cmos_write(&cs, 1, RTC_A, 0x2f);
	KT_EXPECT_EQ(cmos_read(&cs, 1, RTC_A) & 0x7f, 0x2f);
	cmos_write(&cs, 1, RTC_A, 0x26);
	KT_EXPECT_EQ(cmos_read(&cs, 1, RTC_A) & 0x7f, 0x26);
	cmos_write(&cs, 1, RTC_A, a & 0x7f);
	KT_EXPECT_EQ(ioport_in(&cs, 1, CMOS_DATA, 2, &v), E_RANGE);     /* reaches 0x72 */
	KT_EXPECT_EQ(ioport_out(&cs, 1, CMOS_DATA + 1, 1, 0), E_RANGE);
	cspace_destroy(&cs);
	KT_EXPECT_EQ(q.used, 0);
}

/* The kernel's ports cannot be had until it hands them over. */
KTEST(ioport, reserved_ports_refused)
{
	struct quota q;
	struct ioport_range *r;
	static const struct { uint32_t base, count; } refused[] = {
		{ 0x3f8, 8 }, { 0x3ff, 1 }, { 0x3f0, 9 }, { 0x20, 1 }, { 0xa1, 1 },
		{ 0x40, 4 }, { 0x61, 1 }, { 0x80, 1 }, { 0xe9, 1 }, { 0xf4, 1 }, { 0xf7, 1 },
		{ 0, 0x10000 },
	};

	quota_init(&q, 1 << 20);
	for (size_t i = 0; i < ARRAY_SIZE(refused); i++)
		KT_EXPECT_EQ(ioport_create(&q, refused[i].base, refused[i].count, &r), E_EXISTS);
	KT_ASSERT_EQ(ioport_create(&q, 0x3f0, 8, &r), E_OK);    /* just below COM1 */
	kobj_put(&r->obj);
	KT_ASSERT_EQ(ioport_create(&q, 0xf8, 8, &r), E_OK);     /* just above debug-exit */
	kobj_put(&r->obj);

	KT_EXPECT_EQ(ioport_reserve(0x520, 4, "test"), E_OK);
	KT_EXPECT_EQ(ioport_reserve(0x523, 1, "test"), E_EXISTS);
	KT_EXPECT_EQ(ioport_reserve(0x520, 0, "test"), E_INVAL);
	KT_EXPECT_EQ(ioport_create(&q, 0x523, 1, &r), E_EXISTS);
	KT_EXPECT_EQ(ioport_unreserve(0x520, 2), E_NOT_FOUND);  /* only what was reserved */
	KT_EXPECT_EQ(ioport_unreserve(0x520, 4), E_OK);
	KT_ASSERT_EQ(ioport_create(&q, 0x520, 4, &r), E_OK);    /* handed over */
	kobj_put(&r->obj);
	KT_EXPECT_EQ(q.used, 0);
}

/* A quota that cannot pay: E_NO_MEMORY, nothing leaked. */
KTEST(ioport, quota_exhaustion_is_an_error)
{
	struct quota q;
	struct ioport_range *r;
	uint64_t objs = kobj_count();

	quota_init(&q, sizeof(struct ioport_range) - 1);
	KT_EXPECT_EQ(ioport_create(&q, 0x510, 4, &r), E_NO_MEMORY);
	KT_EXPECT_EQ(q.used, 0);
	KT_EXPECT_EQ(kobj_count(), objs);
	quota_init(&q, sizeof(struct ioport_range));
	KT_ASSERT_EQ(ioport_create(&q, 0x510, 4, &r), E_OK);
	KT_EXPECT_EQ(ioport_create(&q, 0x600, 4, &(struct ioport_range *){ NULL }), E_NO_MEMORY);
	kobj_put(&r->obj);
	KT_EXPECT_EQ(q.used, 0);
	KT_EXPECT_EQ(kobj_count(), objs);
}
