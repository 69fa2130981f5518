@testable import LedgerIdentity
import Testing

@Suite("EmailAddress typos")
struct EmailAddressTypoTests {
    @Test(arguments: [
        ("ivan@gmail.con", "ivan@gmail.com"),
        ("ivan@gmail.cm", "ivan@gmail.com"),
        ("ivan@gmail.om", "ivan@gmail.com"),
        ("ivan@gmai.com", "ivan@gmail.com"),
        ("ivan@gmial.com", "ivan@gmail.com"),
        (" Ivan.P@GMAIL.CON ", "ivan.p@gmail.com"),
        ("olena@yahooo.com", "olena@yahoo.com"),
        ("olena@hotmial.com", "olena@hotmail.com"),
        ("olena@ukr.nte", "olena@ukr.net"),
    ])
    func suggestsTheFix(_ text: String, _ fix: String) {
        let error = #expect(throws: EmailAddressError.self) { try EmailAddress(validating: text) }
        #expect(error?.code == .likelyTypo)
        #expect(error?.suggestion == fix)
        #expect(error?.message.contains("did you mean '\(fix)'?") == true)
    }

    @Test func everySuggestedFixIsItselfAccepted() throws {
        for (typo, fix) in EmailAddress.domainTypos {
            #expect(typo != fix)
            #expect(try EmailAddress(validating: "x@" + fix).domain == fix[...])
        }
    }

    @Test func everyTypoWouldOtherwisePassSoTheTableIsReachable() {
        // A typo that the syntax checks already reject would never reach the table.
        for typo in EmailAddress.domainTypos.keys {
            let error = #expect(throws: EmailAddressError.self) { try EmailAddress(validating: "x@" + typo) }
            #expect(error?.code == .likelyTypo, "\(typo)")
        }
    }

    @Test func aLongerDomainEndingInATypoIsNotOne() throws {
        #expect(try EmailAddress(validating: "ivan@mygmail.con.example").value == "ivan@mygmail.con.example")
        #expect(try EmailAddress(validating: "ivan@notgmail.con").value == "ivan@notgmail.con")
    }
}
