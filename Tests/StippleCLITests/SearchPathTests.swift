import Foundation
import Testing

/// --config-dir, then $STIPPLE_CONFIG_DIR, then the built-in Hardware/ files.
@Suite("Hardware search path")
struct SearchPathTests {
    @Test func configDirProfileExtendsTheBuiltInList() throws {
        try withTemporaryDirectory { dir in
            try dir.write("profiles/clinic-hairline.toml", Fixture.profile(name: "clinic-hairline"))
            let r = runCLI(["profile", "list", "--config-dir", dir.path])
            #expect(r.status == 0)
            #expect(r.tableNames == (Shipped.profiles + ["clinic-hairline"]).sorted())
            #expect(r.row("clinic-hairline")?.contains("valid: ") == true)

            let show = runCLI(["profile", "show", "clinic-hairline", "--config-dir", dir.path])
            #expect(show.status == 0)
            #expect(show.out.contains("file        \(dir.path("profiles/clinic-hairline.toml"))"))
        }
    }

    @Test func configDirProfileShadowsTheBuiltInOfTheSameName() throws {
        try withTemporaryDirectory { dir in
            let shipped = try Shipped.text("profiles", "temples")
            let edited = shipped.replacingOccurrences(of: "seed = 1202", with: "seed = 9999")
            try #require(edited != shipped)
            let path = try dir.write("profiles/temples.toml", edited)

            let show = runCLI(["profile", "show", "temples", "--config-dir", dir.path])
            #expect(show.status == 0)
            #expect(show.out.contains("file        \(path)"))
            #expect(show.out.contains("seed 9999"))
            #expect(!show.out.contains("seed 1202"))

            let list = runCLI(["profile", "list", "--config-dir", dir.path])
            #expect(list.tableNames == Shipped.profiles, "temples is listed once")

            let json = runCLI(["profile", "list", "--config-dir", dir.path, "--json"])
            let temples = try #require(try json.jsonArray().first { $0["name"] as? String == "temples" })
            #expect(temples["file"] as? String == path)
        }
    }

    @Test func environmentVariableFolderIsSearched() throws {
        try withTemporaryDirectory { dir in
            try dir.write("profiles/clinic-crown.toml", Fixture.profile(name: "clinic-crown"))
            let env = ["STIPPLE_CONFIG_DIR": dir.path]
            let show = runCLI(["profile", "show", "clinic-crown"], environment: env)
            #expect(show.status == 0)
            #expect(show.out.contains(dir.path("profiles/clinic-crown.toml")))

            let list = runCLI(["profile", "list"], environment: env)
            #expect(list.tableNames.contains("clinic-crown"))
            #expect(!runCLI(["profile", "list"]).tableNames.contains("clinic-crown"), "only with the variable set")
        }
    }

    @Test func configDirWinsOverTheEnvironmentVariable() throws {
        try withTemporaryDirectory { flagDir in
            try withTemporaryDirectory { envDir in
                let shipped = try Shipped.text("profiles", "temples")
                let fromFlag = try flagDir.write("profiles/temples.toml", shipped.replacingOccurrences(of: "seed = 1202", with: "seed = 1111"))
                try envDir.write("profiles/temples.toml", shipped.replacingOccurrences(of: "seed = 1202", with: "seed = 2222"))
                try envDir.write("profiles/env-only.toml", Fixture.profile(name: "env-only"))

                let r = runCLI(["profile", "show", "temples", "--config-dir", flagDir.path],
                               environment: ["STIPPLE_CONFIG_DIR": envDir.path])
                #expect(r.status == 0)
                #expect(r.out.contains(fromFlag))
                #expect(r.out.contains("seed 1111"))

                let list = runCLI(["profile", "list", "--config-dir", flagDir.path],
                                  environment: ["STIPPLE_CONFIG_DIR": envDir.path])
                #expect(list.tableNames.contains("env-only"), "both folders are searched")
            }
        }
    }

    @Test func configDirCartridgeIsUsedWhenValidatingProfiles() throws {
        try withTemporaryDirectory { dir in
            try dir.write("cartridges/1RL-0.25-acme.toml", Fixture.cartridge(name: "1RL-0.25-acme"))
            let profile = try dir.write("acme.toml", Fixture.profile(name: "acme", cartridges: ["1RL-0.25-acme"]))

            let withDir = runCLI(["profile", "validate", profile, "--config-dir", dir.path])
            #expect(withDir.status == 0)
            #expect(withDir.out.contains("rotary-r1 with 1RL-0.25-acme"))

            let builtInOnly = runCLI(["profile", "validate", profile])
            #expect(builtInOnly.status == 1)
            #expect(builtInOnly.errorLines.contains {
                $0.hasPrefix("error: \(profile): compatible_cartridges[0] = \"1RL-0.25-acme\" names a cartridge Stipple does not know")
            })
        }
    }

    @Test func profileNamingAnInvalidCartridgeFileSaysTheFileIsInvalid() throws {
        try withTemporaryDirectory { dir in
            // Shadows the shipped 3RL-0.25 with a file that contradicts its own name.
            let bad = try dir.write("cartridges/3RL-0.25.toml", Fixture.cartridge(name: "3RL-0.25", needles: 1))
            let profile = Shipped.path("profiles", "crown-vertex")
            let r = runCLI(["profile", "validate", profile, "--config-dir", dir.path])
            #expect(r.status == 1)
            #expect(r.errorLines.contains {
                $0.contains("compatible_cartridges[0] = \"3RL-0.25\" names cartridge 3RL-0.25, whose file \(bad) is invalid")
            }, "\(r.err)")
            #expect(!r.err.contains("does not know"))
        }
    }

    @Test func missingConfigDirExits1WithAClearMessage() throws {
        let missing = try withTemporaryDirectory { $0.path("not-created") }
        for args in [["machine", "list"], ["profile", "show", "temples"], ["cartridge", "list", "--json"]] {
            let r = runCLI(args + ["--config-dir", missing])
            #expect(r.status == 1, "\(args)")
            #expect(r.out.isEmpty)
            #expect(r.err == "error: configuration folder \(missing) (from --config-dir) does not exist: Stipple would silently fall back to the built-in files. Create it or correct the path\n")
        }
    }

    @Test func missingEnvironmentFolderExits1NamingTheVariable() throws {
        let missing = try withTemporaryDirectory { $0.path("not-created") }
        let r = runCLI(["cartridge", "list"], environment: ["STIPPLE_CONFIG_DIR": missing])
        #expect(r.status == 1)
        #expect(r.out.isEmpty)
        #expect(r.err.contains("configuration folder \(missing) (from $STIPPLE_CONFIG_DIR) does not exist"))
    }

    @Test func emptyEnvironmentVariableIsIgnored() {
        let r = runCLI(["cartridge", "list"], environment: ["STIPPLE_CONFIG_DIR": ""])
        #expect(r.status == 0)
        #expect(r.tableNames == Shipped.cartridges)
    }

    @Test func configDirThatIsAFileExits1() throws {
        try withTemporaryDirectory { dir in
            let file = try dir.write("not-a-folder.toml", "name = \"x\"\n")
            let r = runCLI(["machine", "list", "--config-dir", file])
            #expect(r.status == 1)
            #expect(r.out.isEmpty)
            #expect(r.err.contains("configuration folder \(file) (from --config-dir)"))
        }
    }

    @Test func invalidMachineInConfigDirMakesListExit1AndShowsItInvalid() throws {
        try withTemporaryDirectory { dir in
            let bad = try dir.write("machines/broken.toml", MachineCommandTests.brokenMachine)
            let r = runCLI(["machine", "list", "--config-dir", dir.path])
            #expect(r.status == 1)
            #expect(r.tableNames == ["broken"] + Shipped.machines, "valid machines are still listed")
            let row = try #require(r.row("broken"))
            #expect(row.contains("INVALID (4 error(s) in \(bad); see `stipple machine show broken --config-dir \(dir.path)`)"))
            for name in Shipped.machines { #expect(r.row(name)?.hasSuffix("valid") == true) }

            let json = runCLI(["machine", "list", "--config-dir", dir.path, "--json"])
            #expect(json.status == 1)
            let item = try #require(try json.jsonArray().first { $0["name"] as? String == "broken" })
            #expect(item["valid"] as? Bool == false)
            #expect((item["errors"] as? [[String: Any]])?.count == 4)

            let show = runCLI(["machine", "show", "broken", "--config-dir", dir.path])
            #expect(show.status == 1)
            #expect(show.errorLines.count == 4)
        }
    }

    @Test func invalidProfileInConfigDirMakesListExit1AndShowsItInvalid() throws {
        try withTemporaryDirectory { dir in
            let bad = try dir.write("profiles/half-written.toml", "name = \"half-written\"\nzones = [\n")
            let r = runCLI(["profile", "list", "--config-dir", dir.path])
            #expect(r.status == 1)
            #expect(r.row("half-written")?.contains("INVALID (1 error(s) in \(bad); see `stipple profile show half-written --config-dir \(dir.path)`)") == true)
            for name in Shipped.profiles { #expect(r.row(name)?.contains("valid: ") == true, "\(name)") }
        }
    }

    @Test func invalidCartridgeInConfigDirMakesListExit1AndShowsItInvalid() throws {
        try withTemporaryDirectory { dir in
            // Claims to be a 3-needle cartridge but says one needle.
            let bad = try dir.write("cartridges/3RL-0.25-x.toml", Fixture.cartridge(name: "3RL-0.25-x", needles: 1))
            let r = runCLI(["cartridge", "list", "--config-dir", dir.path])
            #expect(r.status == 1)
            #expect(r.row("3RL-0.25-x")?.contains("INVALID (1 error(s) in \(bad); see `stipple cartridge show 3RL-0.25-x --config-dir \(dir.path)`)") == true)
            #expect(r.row("3RL-0.25")?.hasSuffix("valid") == true)
        }
    }
}
