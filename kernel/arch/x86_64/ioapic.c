/*
 * I/O APIC driver (arch/ioapic.h). Each I/O APIC has an index register (IOREGSEL) and a
 * data window (IOWIN); redirection entry n is the register pair 0x10+2n (low dword)
 * and 0x11+2n (high). Registers are reached through an uncached mapping, under one lock
 * because the index/data pair is not atomic.
 */
#include <arch/ioapic.h>
#include <vmm.h>
#include <spinlock.h>
#include <log.h>

#define IOREGSEL        0x00
#define IOWIN           0x10
#define REG_VERSION     0x01
#define REG_REDIR(n)    (0x10 + 2 * (n))

#define RED_MASKED      (1ull << 16)
#define RED_LEVEL       (1ull << 15)
#define RED_ACTIVE_LOW  (1ull << 13)

struct ioapic {
	volatile uint32_t *regs;        /* [I] */
	uint8_t id;                     /* [I] */
	uint32_t gsi_base;              /* [I] */
	uint32_t pins;                  /* [I] */
};

struct isa_override {
	bool present;
	uint32_t gsi;
	enum irq_polarity pol;
	enum irq_trigger trig;
};

static struct spinlock ioapic_lock = SPINLOCK_INIT("ioapic");  /* leaf */
static struct ioapic ioapics[IOAPIC_MAX];       /* [I] entries [0, count) after phase 4 */
static unsigned count;
static struct isa_override isa[16];             /* [I] after phase 4 */

static uint32_t rd(struct ioapic *a, uint32_t reg)
{
	a->regs[IOREGSEL / 4] = reg;
	return a->regs[IOWIN / 4];
}

static void wr(struct ioapic *a, uint32_t reg, uint32_t v)
{
	a->regs[IOREGSEL / 4] = reg;
	a->regs[IOWIN / 4] = v;
}

static struct ioapic *serving(uint32_t gsi, uint32_t *pin)
{
	for (unsigned i = 0; i < count; i++) {
		struct ioapic *a = &ioapics[i];
		if (gsi >= a->gsi_base && gsi - a->gsi_base < a->pins) {
			*pin = gsi - a->gsi_base;
			return a;
		}
	}
	return NULL;
}

kerr_t ioapic_add(uint8_t id, uint64_t phys, uint32_t gsi_base)
{
	if (count == IOAPIC_MAX)
		return E_NO_MEMORY;
	volatile uint32_t *regs = vmm_map_phys(pa(phys), PAGE_SIZE, VM_WRITE | VM_UC);
	if (!regs)
		return E_NO_MEMORY;

	struct ioapic *a = &ioapics[count];
	a->regs = regs;
	a->id = id;
	a->gsi_base = gsi_base;
	uint32_t ver = rd(a, REG_VERSION);
	a->pins = ((ver >> 16) & 0xff) + 1;
	if (ver == 0xffffffffu || a->pins > 240) {
		pr_err("ioapic: nothing answers at %#llx", (unsigned long long)phys);
		return E_INVAL;
	}
	for (uint32_t pin = 0; pin < a->pins; pin++) {
		wr(a, REG_REDIR(pin) + 1, 0);
		wr(a, REG_REDIR(pin), (uint32_t)RED_MASKED);
	}
	count++;
	return E_OK;
}

void irq_add_isa_override(uint8_t isa_irq, uint32_t gsi, enum irq_polarity pol,
			  enum irq_trigger trig)
{
	if (isa_irq < 16)
		isa[isa_irq] = (struct isa_override){ true, gsi, pol, trig };
}

uint32_t irq_isa_to_gsi(uint8_t isa_irq, enum irq_polarity *pol, enum irq_trigger *trig)
{
	if (isa_irq < 16 && isa[isa_irq].present) {
		*pol = isa[isa_irq].pol;
		*trig = isa[isa_irq].trig;
		return isa[isa_irq].gsi;
	}
	*pol = IRQ_ACTIVE_HIGH;
	*trig = IRQ_EDGE;
	return isa_irq;
}

kerr_t ioapic_route(uint32_t gsi, unsigned vector, uint32_t apic_id, enum irq_polarity pol,
		    enum irq_trigger trig)
{
	uint32_t pin;
	struct ioapic *a = serving(gsi, &pin);

	if (!a)
		return E_NOT_FOUND;
	if (vector < 32 || vector > 254 || apic_id > 255)
		return E_INVAL;
	uint64_t e = vector | RED_MASKED | (pol == IRQ_ACTIVE_LOW ? RED_ACTIVE_LOW : 0) |
		     (trig == IRQ_LEVEL ? RED_LEVEL : 0) | ((uint64_t)apic_id << 56);
	irqflags_t f = spin_lock_irqsave(&ioapic_lock);
	/* Masked first, destination next, then the vector: never a half-written entry
	 * that could fire. */
	wr(a, REG_REDIR(pin), (uint32_t)RED_MASKED);
	wr(a, REG_REDIR(pin) + 1, (uint32_t)(e >> 32));
	wr(a, REG_REDIR(pin), (uint32_t)e);
	spin_unlock_irqrestore(&ioapic_lock, f);
	return E_OK;
}

kerr_t ioapic_set_masked(uint32_t gsi, bool masked)
{
	uint32_t pin;
	struct ioapic *a = serving(gsi, &pin);

	if (!a)
		return E_NOT_FOUND;
	irqflags_t f = spin_lock_irqsave(&ioapic_lock);
	uint32_t lo = rd(a, REG_REDIR(pin));
	lo = masked ? lo | (uint32_t)RED_MASKED : lo & ~(uint32_t)RED_MASKED;
	wr(a, REG_REDIR(pin), lo);
	spin_unlock_irqrestore(&ioapic_lock, f);
	return E_OK;
}

kerr_t ioapic_unroute(uint32_t gsi)
{
	uint32_t pin;
	struct ioapic *a = serving(gsi, &pin);

	if (!a)
		return E_NOT_FOUND;
	irqflags_t f = spin_lock_irqsave(&ioapic_lock);
	/* Masked first, as ioapic_route does: the entry never fires half-written. */
	wr(a, REG_REDIR(pin), (uint32_t)RED_MASKED);
	wr(a, REG_REDIR(pin) + 1, 0);
	spin_unlock_irqrestore(&ioapic_lock, f);
	return E_OK;
}

bool ioapic_serves(uint32_t gsi)
{
	uint32_t pin;

	return serving(gsi, &pin) != NULL;
}

bool ioapic_read_entry(uint32_t gsi, uint64_t *entry)
{
	uint32_t pin;
	struct ioapic *a = serving(gsi, &pin);

	if (!a)
		return false;
	irqflags_t f = spin_lock_irqsave(&ioapic_lock);
	*entry = rd(a, REG_REDIR(pin)) | (uint64_t)rd(a, REG_REDIR(pin) + 1) << 32;
	spin_unlock_irqrestore(&ioapic_lock, f);
	return true;
}

unsigned ioapic_count(void)
{
	return count;
}

uint32_t ioapic_gsi_count(void)
{
	uint32_t n = 0;

	for (unsigned i = 0; i < count; i++)
		n += ioapics[i].pins;
	return n;
}
