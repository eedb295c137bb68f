#include "plugin/elf_check.h"

#include <elf.h>

#include <cstring>
#include <fstream>
#include <vector>

namespace flowweaver {

std::optional<std::string> check_elf_shared_object(const std::filesystem::path& path) {
  std::error_code ec;
  uintmax_t size = std::filesystem::file_size(path, ec);
  if (ec) return "cannot read its size: " + ec.message();
  std::ifstream in(path, std::ios::binary);
  Elf64_Ehdr header{};
  if (size < sizeof header || !in.read(reinterpret_cast<char*>(&header), sizeof header)) {
    return "file too short to be a shared library (" + std::to_string(size) + " bytes)";
  }
  if (std::memcmp(header.e_ident, ELFMAG, SELFMAG) != 0) return "not an ELF file";
  if (header.e_ident[EI_CLASS] != ELFCLASS64) return "not a 64-bit ELF file";
  if (header.e_type != ET_DYN) return "an ELF file, but not a shared library";
  if (header.e_machine != EM_X86_64 && header.e_machine != EM_AARCH64) {
    return "built for another machine (ELF e_machine " + std::to_string(header.e_machine) + ")";
  }
  if (header.e_phentsize != sizeof(Elf64_Phdr) ||
      header.e_phoff + uint64_t{header.e_phnum} * sizeof(Elf64_Phdr) > size) {
    return "truncated: its program headers lie beyond the end of the file (" +
           std::to_string(size) + " bytes); was it copied completely?";
  }
  std::vector<Elf64_Phdr> segments(header.e_phnum);
  in.seekg(static_cast<std::streamoff>(header.e_phoff));
  if (!in.read(reinterpret_cast<char*>(segments.data()),
               static_cast<std::streamsize>(segments.size() * sizeof(Elf64_Phdr)))) {
    return "cannot read its program headers";
  }
  for (const Elf64_Phdr& segment : segments) {
    if (segment.p_type == PT_LOAD && segment.p_offset + segment.p_filesz > size) {
      return "truncated: a loadable segment ends at byte " +
             std::to_string(segment.p_offset + segment.p_filesz) + " but the file has " +
             std::to_string(size) + "; was it copied completely?";
    }
  }
  return std::nullopt;
}

}  // namespace flowweaver
