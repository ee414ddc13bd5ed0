// Checks sellod's TLS files before anything is created: that the certificate chain and the
// CA hold PEM certificates, that the key is a PEM private key, and that the key is the
// certificate's. gRPC would only fail to listen, later, without saying why.
#ifndef SELLO_DAEMON_SERVER_TLS_FILES_H_
#define SELLO_DAEMON_SERVER_TLS_FILES_H_

#include <string>

#include "absl/status/status.h"

namespace sello::service {

// The files as given on the command line (paths, for the messages) and their contents.
struct TlsFiles {
  std::string cert_path, cert_pem;
  std::string key_path, key_pem;
  std::string client_ca_path, client_ca_pem;  // empty: no mutual TLS
};

// OK, or INVALID_ARGUMENT naming the flag, the file and what is wrong with it: no
// certificate in --tls-cert or --client-ca, no (unencrypted) private key in --tls-key, or a
// key that does not match the first certificate of --tls-cert.
absl::Status CheckTlsFiles(const TlsFiles& files);

}  // namespace sello::service

#endif  // SELLO_DAEMON_SERVER_TLS_FILES_H_
