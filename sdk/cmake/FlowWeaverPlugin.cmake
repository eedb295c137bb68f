# flowweaver_add_plugin(<name> <source>...)
#
# Builds <name>.so, a FlowWeaver task plugin, from C or C++ sources. The library exports only
# the entry symbol (a linker version script), refuses undefined symbols at link time, keeps its
# static dependencies private, and finds private shared libraries beside itself ($ORIGIN).
# Set FLOWWEAVER_PLUGIN_OUTPUT_DIRECTORY to choose where the .so is written.
function(flowweaver_add_plugin name)
  if(ARGC LESS 2)
    message(FATAL_ERROR "flowweaver_add_plugin(${name}) needs at least one source file")
  endif()
  set(map "${CMAKE_CURRENT_FUNCTION_LIST_DIR}/flowweaver-plugin.map")
  add_library(${name} MODULE ${ARGN})
  target_link_libraries(${name} PRIVATE FlowWeaver::sdk)
  set_target_properties(${name} PROPERTIES
    PREFIX ""
    C_VISIBILITY_PRESET hidden
    CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON
    BUILD_RPATH "$ORIGIN"
    INSTALL_RPATH "$ORIGIN"
    LINK_DEPENDS "${map}")
  if(FLOWWEAVER_PLUGIN_OUTPUT_DIRECTORY)
    set_target_properties(${name} PROPERTIES
      LIBRARY_OUTPUT_DIRECTORY "${FLOWWEAVER_PLUGIN_OUTPUT_DIRECTORY}")
  endif()
  target_link_options(${name} PRIVATE
    "LINKER:--version-script=${map}"
    "LINKER:--no-undefined"
    "LINKER:--exclude-libs,ALL")
  # The host refuses a plugin (or its directory) that others may write; a umask of 002 must not
  # make a fresh build unloadable.
  add_custom_command(TARGET ${name} POST_BUILD
    COMMAND chmod go-w "$<TARGET_FILE:${name}>" "$<TARGET_FILE_DIR:${name}>"
    VERBATIM)
endfunction()
