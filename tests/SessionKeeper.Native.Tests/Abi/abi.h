/* Shared by the ABI probe's translation units. Each unit includes only the headers it
 * checks, because several kernel uapi headers (asm/termbits.h, asm/signal.h, asm/stat.h,
 * linux/tcp.h) clash with their glibc counterparts in one unit.
 *
 * Output, one fact per line, named after the managed type and field:
 *   S <Struct> <sizeof>
 *   F <Struct> <Field> <offsetof>
 *   C <Enum> <Member> <value>
 */
#ifndef KEEPER_ABI_H
#define KEEPER_ABI_H

#include <stddef.h>
#include <stdio.h>

#define S(managed, ctype) printf("S %s %zu\n", #managed, sizeof(ctype))
#define F(managed, field, ctype, cfield) printf("F %s %s %zu\n", #managed, #field, offsetof(ctype, cfield))
#define C(managed, name) printf("C %s %s %lld\n", #managed, #name, (long long)(name))

void abi_glibc(void);
void abi_termbits(void);
void abi_ksignal(void);
void abi_kstat(void);
void abi_tcp(void);
void abi_netinet_tcp(void);
void abi_ptrace(void);
void abi_netns(void);
void abi_timerfd(void);
void abi_unix_diag(void);

#endif
