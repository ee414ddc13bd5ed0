#include "daemon/http/page_text.h"

#include <algorithm>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace sello::http {
namespace {

struct Text {
  absl::string_view key;
  absl::string_view en;
  absl::string_view es;
};

// clang-format off
constexpr Text kTexts[] = {
  {"nav_label", "Registry", "Registro"},
  {"nav_sites", "Certified sites", "Plantas certificadas"},
  {"nav_certifiers", "Certifiers", "Certificadoras"},
  {"nav_log", "Public log", "Registro público"},
  {"footer", "Sello: a quality-certification registry whose every change is in a public, verifiable log.",
             "Sello: un registro de certificación de calidad cuyos cambios quedan todos en un registro público y verificable."},
  {"home_title", "Check a quality seal", "Verifique un sello de calidad"},
  {"home_lead", "Type the code printed on the box's seal, or scan its QR code, to see whether the seal is valid, who certified it and to which standard.",
                "Escriba el código impreso en el sello de la caja, o escanee su código QR, para saber si el sello es válido, quién lo certificó y bajo qué norma."},
  {"form_label", "Seal code", "Código del sello"},
  {"form_label_other", "Check another seal code", "Verificar otro código de sello"},
  {"form_button", "Check", "Verificar"},
  {"form_hint", "Upper or lower case, with or without hyphens: the last character catches a typing mistake.",
                "Mayúsculas o minúsculas, con o sin guiones: el último carácter detecta un error de tipeo."},
  {"home_more", "The registry", "El registro"},
  {"home_sites", "the sites certified to each standard, by grade and region", "las plantas certificadas en cada norma, por grado y región"},
  {"home_certifiers", "the accredited certifiers, their scopes and status", "las certificadoras acreditadas, su alcance y estado"},
  {"home_log", "the signed log every change goes into, and how to audit it", "el registro firmado donde queda cada cambio, y cómo auditarlo"},
  {"home_standards", "Standards", "Normas"},
  {"seal_title", "Seal", "Sello"},
  {"verdict_valid", "Valid", "Válido"},
  {"verdict_suspended", "Suspended", "Suspendido"},
  {"verdict_revoked", "Revoked", "Revocado"},
  {"verdict_expired", "Expired", "Vencido"},
  {"verdict_not_found", "Not found", "No encontrado"},
  {"verdict_mistyped", "Mistyped code", "Código mal escrito"},
  {"verdict_malformed", "Not a seal code", "No es un código de sello"},
  {"detail_valid", "This seal was issued by the registry and is in force.", "Este sello fue emitido por el registro y está vigente."},
  {"detail_suspended", "The seal is suspended while it is investigated. Reason given:", "El sello está suspendido mientras se investiga. Motivo:"},
  {"detail_revoked", "The seal was revoked: the box no longer carries a valid certification. Reason given:", "El sello fue revocado: la caja ya no tiene una certificación válida. Motivo:"},
  {"detail_expired", "The seal's validity ended on", "La vigencia del sello terminó el"},
  {"detail_not_found", "The code is well formed, but the registry has issued no seal with it. A box carrying it is not certified: it may be counterfeit.",
                       "El código está bien formado, pero el registro no ha emitido ningún sello con él. Una caja que lo lleve no está certificada: puede ser una falsificación."},
  {"detail_mistyped", "The last character of a seal code is a check character computed from all the others, and it does not match: at least one character was mistyped. Compare the code with the box and type it again.",
                      "El último carácter de un código de sello es un carácter de control calculado a partir de los demás, y no coincide: al menos un carácter está mal escrito. Compare el código con la caja y escríbalo de nuevo."},
  {"detail_malformed", "A seal code is the standard's prefix and 13 characters, e.g. CSCS-7KQ2-M9XD-3WPA-B. What was given is not one:",
                       "Un código de sello es el prefijo de la norma y 13 caracteres, p. ej. CSCS-7KQ2-M9XD-3WPA-B. Lo ingresado no lo es:"},
  {"lot_mismatch", "Warning: the link names lot {lot}, but this seal belongs to another lot. The code may have been copied onto this box.",
                   "Atención: el enlace indica el lote {lot}, pero este sello pertenece a otro lote. El código puede haber sido copiado en esta caja."},
  {"grade", "Grade", "Grado"},
  {"grade_PREMIUM", "Premium", "Premium"},
  {"grade_GRADE_I", "Grade I", "Grado I"},
  {"grade_INDUSTRIAL", "Industrial", "Industrial"},
  {"firm", "Firm", "Empresa"},
  {"site", "Site", "Planta"},
  {"lot", "Lot", "Lote"},
  {"standard", "Standard", "Norma"},
  {"version", "version", "versión"},
  {"certifier", "Certifier", "Certificadora"},
  {"inspected", "Inspected", "Inspeccionado"},
  {"issued", "Issued", "Emitido"},
  {"expires", "Valid until", "Válido hasta"},
  {"no_expiry", "no expiry", "sin vencimiento"},
  {"proof_title", "Proof", "Prueba"},
  {"proof_without_js", "This page carries a cryptographic proof of this seal; with JavaScript on, your browser checks it by itself.",
                       "Esta página contiene una prueba criptográfica de este sello; con JavaScript activado, su navegador la verifica por sí mismo."},
  {"proof_checking", "Checking the proof in your browser…", "Verificando la prueba en su navegador…"},
  {"proof_ok", "Verified in your browser against checkpoint {n}, signed at {t}.", "Verificado en su navegador contra el punto de control {n}, firmado el {t}."},
  {"proof_fail", "WARNING: the proof on this page does NOT check out ({why}). Do not rely on this page; report it to the association.",
                 "ATENCIÓN: la prueba de esta página NO es válida ({why}). No confíe en esta página; informe a la asociación."},
  {"proof_unable", "Your browser could not check the proof here: {why}.", "Su navegador no pudo verificar la prueba aquí: {why}."},
  {"proof_explain", "The registry signs the state of its public log; the proof shows that this seal was issued as shown and recorded in that log, which no one can rewrite unnoticed.",
                    "El registro firma el estado de su registro público; la prueba muestra que este sello fue emitido tal como se ve y quedó en ese registro, que nadie puede reescribir sin que se note."},
  {"proof_cosigned", "Cosigned by the witnesses {w}, as the registry's witness policy requires.",
                     "Cofirmado por los testigos {w}, como exige la política de testigos del registro."},
  {"proof_policy", "The witnesses' policy", "La política de testigos"},
  {"proof_policy_hint", "Independent witnesses cosign the log's checkpoints only if they extend the history they saw; compare this policy with the one the association publishes, or check with: sello audit --witness-policy FILE verify.",
                        "Testigos independientes cofirman los puntos de control del registro solo si extienden la historia que vieron; compare esta política con la que publica la asociación, o verifique con: sello audit --witness-policy ARCHIVO verify."},
  {"proof_key", "The log's public key", "La clave pública del registro"},
  {"proof_key_hint", "Compare it with the key the association publishes, or check with: sello audit verify.",
                     "Compárela con la clave que publica la asociación, o verifique con: sello audit verify."},
  {"published_on", "published", "publicada el"},
  {"ceases_on", "acceptable until", "aceptable hasta"},
  {"withdrawn_because", "Withdrawn:", "Retirada:"},
  {"seal_validity", "Seal validity", "Vigencia de los sellos"},
  {"days", "days", "días"},
  {"diff_title", "Changes from version", "Cambios desde la versión"},
  {"diff_empty", "No change in the rules.", "Sin cambios en las reglas."},
  {"diff_link", "changes from version", "cambios desde la versión"},
  {"criterion", "Criterion", "Criterio"},
  {"rule", "Rule", "Regla"},
  {"versions", "Versions", "Versiones"},
  {"status_DRAFT", "Draft", "Borrador"},
  {"status_PUBLISHED", "Published (current)", "Publicada (vigente)"},
  {"status_SUPERSEDED", "Superseded", "Reemplazada"},
  {"status_WITHDRAWN", "Withdrawn", "Retirada"},
  {"rule_pass", "Pass or fail.", "Cumple o no cumple."},
  {"rule_range", "{grade}: {range}", "{grade}: {range}"},
  {"rule_outside", "Outside every range, the inspection fails.", "Fuera de todo rango, la inspección no aprueba."},
  {"rule_critical", "Critical: a failure fails the inspection.", "Crítico: un incumplimiento reprueba la inspección."},
  {"rule_caps", "A failure caps the grade at {grade}.", "Un incumplimiento limita el grado a {grade}."},
  {"rule_no_effect", "A failure is recorded but does not lower the grade.", "Un incumplimiento se registra pero no baja el grado."},
  {"range_between", "from {min} to {max}", "de {min} a {max}"},
  {"range_max", "at most {max}", "como máximo {max}"},
  {"range_min", "at least {min}", "como mínimo {min}"},
  {"range_none", "not graded", "no se califica"},
  {"certifiers_title", "Accredited certifiers", "Certificadoras acreditadas"},
  {"certifiers_lead", "The certifiers the association has accredited, for which standards and stages, and whether each accreditation is in force.",
                      "Las certificadoras que la asociación ha acreditado, para qué normas y etapas, y si cada acreditación está vigente."},
  {"none", "None yet.", "Ninguna por ahora."},
  {"scope", "Scope", "Alcance"},
  {"status", "Status", "Estado"},
  {"valid", "Valid", "Vigencia"},
  {"all_stages", "every stage", "todas las etapas"},
  {"acc_ACTIVE", "Active", "Activa"},
  {"acc_SUSPENDED", "Suspended", "Suspendida"},
  {"acc_WITHDRAWN", "Withdrawn", "Retirada"},
  {"log_title", "The public log", "El registro público"},
  {"log_lead", "Every change to the registry is an event in an append-only log. The registry signs the log's state (a checkpoint); anyone can check that a seal is in it and that the log never rewrites its past.",
               "Cada cambio en el registro es un evento en un registro de solo anexión. El registro firma su estado (un punto de control); cualquiera puede comprobar que un sello está en él y que nunca reescribe su pasado."},
  {"log_size", "Events", "Eventos"},
  {"log_signed", "Signed at", "Firmado el"},
  {"log_root", "Root hash", "Hash raíz"},
  {"log_next_key", "Next key (rotation under way)", "Próxima clave (rotación en curso)"},
  {"log_note", "The latest checkpoint", "El último punto de control"},
  {"log_how", "How to verify", "Cómo verificar"},
  {"log_how_text", "With the sello command-line tool, pin the key above (compare it with the one the association publishes) and audit the whole log, or one seal with its proof:",
                   "Con la herramienta de línea de comandos sello, fije la clave de arriba (compárela con la que publica la asociación) y audite todo el registro, o un sello con su prueba:"},
  {"sites_title", "Certified sites", "Plantas certificadas"},
  {"sites_lead", "The public register of sites with a current passing certification: search by standard, grade, region and firm.",
                 "El registro público de plantas con una certificación vigente aprobada: busque por norma, grado, región y empresa."},
  {"any", "Any", "Cualquiera"},
  {"min_grade", "Grade at least", "Grado mínimo"},
  {"region", "Region", "Región"},
  {"search", "Search", "Buscar"},
  {"certifications", "Certifications", "Certificaciones"},
  {"sites_count", "{n} sites found.", "{n} plantas encontradas."},
  {"more_sites", "More sites", "Más plantas"},
  {"no_certification", "This site has no current certification.", "Esta planta no tiene una certificación vigente."},
  {"outcome", "Outcome", "Resultado"},
  {"outcome_PASS", "Passed", "Aprobada"},
  {"outcome_FAIL", "Failed", "Reprobada"},
  {"back_home", "Check a seal", "Verificar un sello"},
  {"not_found_title", "Page not found", "Página no encontrada"},
  {"not_found_text", "There is no page at this address.", "No hay ninguna página en esta dirección."},
  {"error_title", "The registry could not answer", "El registro no pudo responder"},
  {"bad_link_title", "Not a seal link", "No es un enlace de sello"},
};
// clang-format on

}  // namespace

absl::string_view LangCode(Lang lang) { return lang == Lang::kEs ? "es" : "en"; }

Lang ChooseLang(absl::string_view query_lang, absl::string_view accept_language) {
  if (query_lang == "es") return Lang::kEs;
  if (query_lang == "en") return Lang::kEn;
  double best_q = 0;
  Lang best = Lang::kEn;
  for (absl::string_view item : absl::StrSplit(accept_language, ',')) {
    std::vector<absl::string_view> parts = absl::StrSplit(item, ';');
    const std::string tag = absl::AsciiStrToLower(absl::StripAsciiWhitespace(parts[0]));
    double q = 1;
    for (size_t i = 1; i < parts.size(); ++i) {
      absl::string_view param = absl::StripAsciiWhitespace(parts[i]);
      if (absl::ConsumePrefix(&param, "q=") && !absl::SimpleAtod(param, &q)) q = 0;
    }
    const absl::string_view primary = absl::string_view(tag).substr(0, tag.find('-'));
    Lang lang;
    if (primary == "es") {
      lang = Lang::kEs;
    } else if (primary == "en") {
      lang = Lang::kEn;
    } else {
      continue;
    }
    if (q > best_q) best_q = q, best = lang;
  }
  return best;
}

const std::vector<std::pair<absl::string_view, absl::string_view>>& PageTexts(Lang lang) {
  static const auto* const kEn = [] {
    auto* texts = new std::vector<std::pair<absl::string_view, absl::string_view>>;
    for (const Text& text : kTexts) texts->emplace_back(text.key, text.en);
    return texts;
  }();
  static const auto* const kEs = [] {
    auto* texts = new std::vector<std::pair<absl::string_view, absl::string_view>>;
    for (const Text& text : kTexts) texts->emplace_back(text.key, text.es);
    return texts;
  }();
  return lang == Lang::kEs ? *kEs : *kEn;
}

absl::string_view PageText(Lang lang, absl::string_view key) {
  // Looked up several times on every page: by hash rather than by scanning the table.
  static const auto* const kByKey = [] {
    auto* by_key = new absl::flat_hash_map<absl::string_view, const Text*>;
    for (const Text& text : kTexts) by_key->emplace(text.key, &text);
    return by_key;
  }();
  const auto found = kByKey->find(key);
  if (found == kByKey->end()) return key;
  return lang == Lang::kEs ? found->second->es : found->second->en;
}

}  // namespace sello::http
