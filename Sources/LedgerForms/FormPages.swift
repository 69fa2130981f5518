import LedgerDomain
import Mustache

/// The hosted pages (issue 19): the form, its thank-you page, the confirmation and
/// unsubscribe pages, rendered from Mustache templates kept here.
///
/// Plain HTML that works without JavaScript: a label for every input, errors beside their
/// fields (`aria-describedby`), a viewport meta tag, dark text on white (contrast above 12:1),
/// and a honeypot field that people do not see and screen readers skip. Every value goes
/// through Mustache's `{{ }}`, which escapes `< > & " '`: nothing a person submits is rendered
/// back unescaped.
public struct FormPages: Sendable {
    private let library: MustacheLibrary

    /// The honeypot's field name: a word autofill leaves alone and bots fill.
    public static let honeypotField = "website_url"

    /// The pages, parsed once.
    public init() {
        var library = MustacheLibrary()
        // The templates are constants of this file; a parse failure is a bug the tests catch.
        try? library.register(Self.layout, named: "layout")
        try? library.register(Self.formBody, named: "form")
        try? library.register(Self.messageBody, named: "message")
        try? library.register(Self.buttonBody, named: "button")
        self.library = library
    }

    /// The form page for `definition` posting to `action`, with `values` filled in and `errors`
    /// beside their fields.
    public func form(_ definition: FormDefinition, action: String, values: [String: String] = [:], errors: [String: String] = [:]) -> String {
        let inputs = inputs(definition, values: values, errors: errors)
        let content = library.render(Self.formContext(definition, action: action, inputs: inputs, errors: errors.count), withTemplate: "form") ?? ""
        return page(title: definition.title.isEmpty ? "Subscribe" : definition.title, content: content)
    }

    /// The form alone, as a snippet to paste into another site's page: it posts to `action`
    /// (the server's `/forms/NAME`), which answers with the redirect or the thank-you page.
    public func embed(_ definition: FormDefinition, action: String) -> String {
        library.render(Self.formContext(definition, action: action, inputs: inputs(definition, values: [:], errors: [:]), errors: 0), withTemplate: "form") ?? ""
    }

    /// What the form's template reads.
    private static func formContext(_ definition: FormDefinition, action: String, inputs: [[String: Any]], errors: Int) -> [String: Any] {
        var context: [String: Any] = [
            "title": definition.title.isEmpty ? "Subscribe" : definition.title,
            "action": action, "inputs": inputs, "hasErrors": errors > 0, "errorCount": errors, "honeypot": honeypotField,
        ]
        if !definition.consentText.isEmpty { context["consentText"] = definition.consentText }
        return context
    }

    /// The inputs of the form's template.
    private func inputs(_ definition: FormDefinition, values: [String: String], errors: [String: String]) -> [[String: Any]] {
        definition.fields.map { field in
            let (type, autocomplete): (String, String) = switch field.key {
            case "email": ("email", "email")
            case "phone": ("tel", "tel")
            case "firstName": ("text", "given-name")
            case "lastName": ("text", "family-name")
            case "birthDate": ("date", "bday")
            default: ("text", "off")
            }
            var input: [String: Any] = [
                "key": field.key, "label": field.label, "required": field.required,
                "value": values[field.key] ?? "", "type": type, "autocomplete": autocomplete,
            ]
            if let error = errors[field.key] { input["error"] = error }
            return input
        }
    }

    /// A page with a heading and a message.
    public func message(title: String, heading: String, text: String, status: String = "ok") -> String {
        page(title: title, content: library.render(["heading": heading, "text": text, "status": status] as [String: Any], withTemplate: "message") ?? "")
    }

    /// A page with one button that posts `token` to `action`: links only show it; the POST acts,
    /// so a mail scanner that fetches the link changes nothing.
    public func button(title: String, heading: String, text: String, action: String, token: String, label: String) -> String {
        page(title: title, content: library.render([
            "heading": heading, "text": text, "action": action, "token": token, "label": label,
        ] as [String: Any], withTemplate: "button") ?? "")
    }

    private func page(title: String, content: String) -> String {
        // The content is HTML this type rendered (escaped already): the triple mustache takes it as it is.
        library.render(["title": title, "content": content] as [String: Any], withTemplate: "layout") ?? ""
    }

    static let layout = """
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <meta name="robots" content="noindex">
        <title>{{title}}</title>
        <style>
        body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:#fff;color:#1a1a1a;margin:0;padding:1rem;line-height:1.5}
        main{max-width:32rem;margin:2rem auto}
        h1{font-size:1.6rem;margin:0 0 1rem}
        label{display:block;font-weight:600;margin-top:1rem}
        input[type=text],input[type=email],input[type=tel],input[type=date]{display:block;width:100%;box-sizing:border-box;font-size:1rem;padding:.6rem;border:2px solid #555;border-radius:4px;margin-top:.25rem}
        input:focus,button:focus{outline:3px solid #0b57d0;outline-offset:2px}
        .error{color:#a50e0e;font-weight:600;margin:.25rem 0 0}
        .summary{border:2px solid #a50e0e;padding:.75rem;border-radius:4px;color:#a50e0e}
        .consent{margin-top:1.25rem;font-size:.95rem;color:#333}
        button{margin-top:1.25rem;font-size:1rem;padding:.7rem 1.4rem;background:#0b57d0;color:#fff;border:0;border-radius:4px;cursor:pointer}
        .hp{position:absolute;left:-10000px;width:1px;height:1px;overflow:hidden}
        </style>
        </head>
        <body>
        <main>
        {{{content}}}
        </main>
        </body>
        </html>

        """

    static let formBody = """
        <h1>{{title}}</h1>
        {{#hasErrors}}<p class="summary" role="alert">Please correct the {{errorCount}} marked field(s).</p>{{/hasErrors}}
        <form method="post" action="{{action}}" novalidate>
        {{#inputs}}
        <label for="f-{{key}}">{{label}}{{#required}} <span aria-hidden="true">*</span>{{/required}}</label>
        <input id="f-{{key}}" name="{{key}}" type="{{type}}" value="{{value}}" autocomplete="{{autocomplete}}"{{#required}} required aria-required="true"{{/required}}{{#error}} aria-invalid="true" aria-describedby="e-{{key}}"{{/error}}>
        {{#error}}<p class="error" id="e-{{key}}">{{error}}</p>{{/error}}
        {{/inputs}}
        <div class="hp" aria-hidden="true" style="position:absolute;left:-10000px;width:1px;height:1px;overflow:hidden"><label for="f-hp">Leave this empty</label><input id="f-hp" name="{{honeypot}}" type="text" tabindex="-1" autocomplete="off" value=""></div>
        {{#consentText}}<p class="consent">{{consentText}}</p>{{/consentText}}
        <button type="submit">Subscribe</button>
        </form>

        """

    static let messageBody = """
        <h1>{{heading}}</h1>
        <p data-status="{{status}}">{{text}}</p>

        """

    static let buttonBody = """
        <h1>{{heading}}</h1>
        <p>{{text}}</p>
        <form method="post" action="{{action}}">
        <input type="hidden" name="token" value="{{token}}">
        <button type="submit">{{label}}</button>
        </form>

        """
}
