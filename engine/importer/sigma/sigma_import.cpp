#include "importer/importer.h"

namespace vigil::importer {

Result<ImportResult> ImportSigma(const ImportOptions&) {
  return Error{"vigil import sigma: not implemented yet"};
}

}  // namespace vigil::importer
