/* A perfectly valid shared library that is not a FlowWeaver plugin: it exports a function, but
 * not the entry symbol. */
__attribute__((visibility("default"))) int not_a_flowweaver_plugin(void) { return 42; }
