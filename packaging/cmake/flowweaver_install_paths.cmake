# Absolute install paths computed from the prefix an install really uses.
#
# GNUInstallDirs fixes CMAKE_INSTALL_FULL_<dir> when the project is configured, but the prefix
# can still change afterwards: `cmake --install build --prefix P`, or CPack, which installs with
# the prefix /usr whatever the build was configured with. Files that name absolute paths (the
# systemd units, the default config) are therefore configured at install time, with these.

# flowweaver_full_install_dir(<out-var> <prefix> <dir>)
#
# <prefix>/<dir> for a relative <dir> (a GNUInstallDirs value such as "bin"), <dir> itself when
# it is absolute.
function(flowweaver_full_install_dir out prefix dir)
  if(IS_ABSOLUTE "${dir}")
    set(${out} "${dir}" PARENT_SCOPE)
  else()
    string(REGEX REPLACE "/+$" "" prefix "${prefix}")
    set(${out} "${prefix}/${dir}" PARENT_SCOPE)
  endif()
endfunction()

# flowweaver_full_sysconfdir(<out-var> <prefix> <sysconfdir>)
#
# GNUInstallDirs' rule for the configuration directory: /etc for the prefixes / and /usr,
# /etc/opt/<rest> for /opt/<rest>, <prefix>/<sysconfdir> for any other prefix (so an install
# into a scratch prefix never writes to the real /etc). An absolute <sysconfdir> is kept.
function(flowweaver_full_sysconfdir out prefix sysconfdir)
  string(REGEX REPLACE "/+$" "" prefix "${prefix}")
  if(IS_ABSOLUTE "${sysconfdir}")
    set(dir "${sysconfdir}")
  elseif(prefix STREQUAL "" OR prefix STREQUAL "/usr")
    set(dir "/${sysconfdir}")
  elseif(prefix MATCHES "^/opt/(.+)$")
    set(dir "/${sysconfdir}/opt/${CMAKE_MATCH_1}")
  else()
    set(dir "${prefix}/${sysconfdir}")
  endif()
  set(${out} "${dir}" PARENT_SCOPE)
endfunction()
