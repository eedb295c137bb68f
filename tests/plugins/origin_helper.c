/* A private library that the origin_user plugin bundles beside itself and finds through its
 * `$ORIGIN` RUNPATH, as a plugin that ships its own dependencies does. */
int origin_helper_answer(void) { return 42; }
