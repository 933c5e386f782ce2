#include "importer/importer.h"

namespace vigil::importer {

Result<ImportResult> ImportFalco(const ImportOptions&) {
  return Error{"vigil import falco: not implemented yet"};
}

}  // namespace vigil::importer
