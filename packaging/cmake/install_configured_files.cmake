# Runs at install time, from the install(CODE) in packaging/CMakeLists.txt, when
# CMAKE_INSTALL_PREFIX is the prefix this install really uses: configures the files that name
# absolute paths (units, default config) for that prefix and installs them. file(INSTALL) adds
# DESTDIR by itself and records every file in install_manifest.txt.
#
# Input variables: FLOWWEAVER_PACKAGING_SOURCE_DIR, FLOWWEAVER_PACKAGING_STAGE_DIR and the
# GNUInstallDirs values FLOWWEAVER_BINDIR, FLOWWEAVER_SYSCONFDIR, FLOWWEAVER_DOCDIR,
# FLOWWEAVER_PLUGIN_INSTALL_DIR (relative to the prefix, or absolute).
include("${FLOWWEAVER_PACKAGING_SOURCE_DIR}/cmake/flowweaver_install_paths.cmake")

string(REGEX REPLACE "(.)/+$" "\\1" prefix "${CMAKE_INSTALL_PREFIX}")
flowweaver_full_install_dir(CMAKE_INSTALL_FULL_BINDIR "${prefix}" "${FLOWWEAVER_BINDIR}")
flowweaver_full_sysconfdir(CMAKE_INSTALL_FULL_SYSCONFDIR "${prefix}" "${FLOWWEAVER_SYSCONFDIR}")
flowweaver_full_install_dir(FLOWWEAVER_FULL_DOCDIR "${prefix}" "${FLOWWEAVER_DOCDIR}")
flowweaver_full_install_dir(shipped_plugin_dir "${prefix}" "${FLOWWEAVER_PLUGIN_INSTALL_DIR}")

# Where the package owns /usr, operators deploy their own plugins under /usr/local (postinst
# creates the directory). Under any other prefix the installed plugin directory is already
# the operator's, so it is the only one.
set(FLOWWEAVER_PLUGIN_DIR_LINES "")
if(prefix STREQUAL "/usr")
  string(APPEND FLOWWEAVER_PLUGIN_DIR_LINES "  - /usr/local/lib/flowweaver/plugins\n")
endif()
string(APPEND FLOWWEAVER_PLUGIN_DIR_LINES "  - ${shipped_plugin_dir}")

# One staging directory per destination, so that installs into different prefixes (parallel
# tests do that) never write the same file.
string(MD5 destination_key "$ENV{DESTDIR}|${prefix}")
set(stage "${FLOWWEAVER_PACKAGING_STAGE_DIR}/${destination_key}")
file(REMOVE_RECURSE "${stage}")
# The sources keep their installed names; their @VARIABLES@ are the paths set above.
foreach(name flowweaver.service flowweaver@.service flowweaver.yaml)
  configure_file("${FLOWWEAVER_PACKAGING_SOURCE_DIR}/${name}" "${stage}/${name}" @ONLY)
endforeach()
file(MAKE_DIRECTORY "${stage}/workflows")

file(INSTALL "${stage}/flowweaver.service" "${stage}/flowweaver@.service"
  DESTINATION "${prefix}/lib/systemd/system")
set(config_dir "${CMAKE_INSTALL_FULL_SYSCONFDIR}/flowweaver")
# Not world-readable: the config may hold the API token. postinst gives the flowweaver group
# read access (dpkg-statoverride).
file(INSTALL "${stage}/flowweaver.yaml" DESTINATION "${config_dir}"
  PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ)
file(INSTALL DESTINATION "${config_dir}" TYPE DIRECTORY FILES "${stage}/workflows")
