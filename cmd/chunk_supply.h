/*
 * Memory chunks whose pages a helper thread has already touched.
 *
 * The first write to a fresh page costs a fault; on a virtual machine
 * that hands freed memory back to its host, a much dearer one.  A store
 * that grows by large chunks while the analysis runs (flows keeps every
 * ended flow) takes them from here, and the faults are paid on the other
 * core, ahead of need.
 */
#ifndef TCPLENS_CHUNK_SUPPLY_H
#define TCPLENS_CHUNK_SUPPLY_H

#include <stddef.h>

struct chunk_supply;

/* NULL when no thread could be had: then malloc() the chunks instead. */
struct chunk_supply *chunk_supply_start(size_t chunk_bytes);
/*
 * A chunk of chunk_bytes (free() it), touched if one was ready; the
 * first call starts the helper, which keeps two ready from then on.
 * NULL when memory ran out.
 */
void *chunk_supply_take(struct chunk_supply *s);
/* Stops the helper and frees the chunks nobody took. */
void chunk_supply_stop(struct chunk_supply *s);

#endif
