/*
 * qbridge's QEMU user-mode plugin: counts the guest instructions one guest thread executes
 * between two markers, so that bench.jar can report an exact, repeatable cost per inference
 * for code run under emulation (wall time on a shared machine is not repeatable).
 *
 * Markers are lseek() calls with magic offsets, which plain Java can make through
 * FileChannel.position(): offset 0x51420B01 opens a window on the calling thread (vCPU),
 * 0x51420E0D closes it and appends one line to the output file:
 *     window <n> vcpu <v> insns <count> [<class> <count> ...]
 * Other threads (JIT compiler, GC) are not counted, so the figure is exact for
 * single-threaded inference.
 *
 * Arguments: out=FILE (required), class=NAME:MASK:VALUE (hex, up to 8; counted when
 * (insn_word & MASK) == VALUE, e.g. class=sdot:bfa0fc00:0e809400).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "qemu-plugin.h"

QEMU_PLUGIN_EXPORT int qemu_plugin_version = QEMU_PLUGIN_VERSION;

#define MAX_VCPUS 4096
#define MAX_CLASSES 8
#define MAGIC_BEGIN 0x51420B01ull
#define MAGIC_END 0x51420E0Dull

/* Syscall numbers of the seek a 64-bit (aarch64 lseek) and 32-bit (arm _llseek) guest makes. */
#define AARCH64_LSEEK 62
#define ARM_LLSEEK 140

static FILE *out;
static int is_32bit_guest;
static int class_count;
static char class_name[MAX_CLASSES][24];
static uint32_t class_mask[MAX_CLASSES];
static uint32_t class_value[MAX_CLASSES];

static unsigned char active[MAX_VCPUS];
static uint64_t insns[MAX_VCPUS];
static uint64_t class_hits[MAX_VCPUS][MAX_CLASSES];
static unsigned windows;

static void on_block(unsigned int vcpu, void *n_insns) {
    if (vcpu < MAX_VCPUS && active[vcpu]) {
        insns[vcpu] += (uintptr_t) n_insns;
    }
}

static void on_class_insn(unsigned int vcpu, void *class_index) {
    if (vcpu < MAX_VCPUS && active[vcpu]) {
        class_hits[vcpu][(uintptr_t) class_index]++;
    }
}

static void on_translate(qemu_plugin_id_t id, struct qemu_plugin_tb *tb) {
    size_t n = qemu_plugin_tb_n_insns(tb);
    qemu_plugin_register_vcpu_tb_exec_cb(tb, on_block, QEMU_PLUGIN_CB_NO_REGS, (void *) (uintptr_t) n);
    if (class_count == 0) {
        return;
    }
    for (size_t i = 0; i < n; i++) {
        struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);
        if (qemu_plugin_insn_size(insn) != 4) {
            continue;
        }
        uint32_t word;
        memcpy(&word, qemu_plugin_insn_data(insn), 4);
        for (int c = 0; c < class_count; c++) {
            if ((word & class_mask[c]) == class_value[c]) {
                qemu_plugin_register_vcpu_insn_exec_cb(insn, on_class_insn, QEMU_PLUGIN_CB_NO_REGS,
                                                       (void *) (uintptr_t) c);
            }
        }
    }
}

static void on_syscall(qemu_plugin_id_t id, unsigned int vcpu, int64_t num, uint64_t a1, uint64_t a2,
                       uint64_t a3, uint64_t a4, uint64_t a5, uint64_t a6, uint64_t a7, uint64_t a8) {
    uint64_t offset;
    if (!is_32bit_guest && num == AARCH64_LSEEK) {
        offset = a2;
    } else if (is_32bit_guest && num == ARM_LLSEEK) {
        offset = (a2 << 32) | (a3 & 0xffffffffull);
    } else {
        return;
    }
    if (vcpu >= MAX_VCPUS) {
        return;
    }
    if (offset == MAGIC_BEGIN) {
        insns[vcpu] = 0;
        memset(class_hits[vcpu], 0, sizeof class_hits[vcpu]);
        active[vcpu] = 1;
    } else if (offset == MAGIC_END && active[vcpu]) {
        active[vcpu] = 0;
        fprintf(out, "window %u vcpu %u insns %" PRIu64, windows++, vcpu, insns[vcpu]);
        for (int c = 0; c < class_count; c++) {
            fprintf(out, " %s %" PRIu64, class_name[c], class_hits[vcpu][c]);
        }
        fputc('\n', out);
        fflush(out);
    }
}

static void on_plugin_exit(qemu_plugin_id_t id, void *unused) {
    if (out != NULL) {
        fclose(out);
        out = NULL;
    }
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info, int argc, char **argv) {
    const char *path = NULL;
    for (int i = 0; i < argc; i++) {
        if (strncmp(argv[i], "out=", 4) == 0) {
            path = argv[i] + 4;
        } else if (strncmp(argv[i], "class=", 6) == 0 && class_count < MAX_CLASSES) {
            char name[24];
            unsigned mask, value;
            if (sscanf(argv[i] + 6, "%23[^:]:%x:%x", name, &mask, &value) != 3) {
                fprintf(stderr, "qbridge_icount: bad argument '%s' (class=NAME:MASK:VALUE)\n", argv[i]);
                return -1;
            }
            strcpy(class_name[class_count], name);
            class_mask[class_count] = mask;
            class_value[class_count] = value;
            class_count++;
        } else {
            fprintf(stderr, "qbridge_icount: unknown argument '%s'\n", argv[i]);
            return -1;
        }
    }
    if (path == NULL) {
        fprintf(stderr, "qbridge_icount: out=FILE is required\n");
        return -1;
    }
    out = fopen(path, "w");
    if (out == NULL) {
        perror(path);
        return -1;
    }
    is_32bit_guest = strcmp(info->target_name, "arm") == 0;
    qemu_plugin_register_vcpu_tb_trans_cb(id, on_translate);
    qemu_plugin_register_vcpu_syscall_cb(id, on_syscall);
    qemu_plugin_register_atexit_cb(id, on_plugin_exit, NULL);
    return 0;
}
