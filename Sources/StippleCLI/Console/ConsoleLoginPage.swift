/// Log in: one passcode field. On a loopback console without a passcode an empty one is accepted.
enum ConsoleLoginPage {
    static let main = #"""
        <h1>Log in</h1>
        <form id="login-form" class="card narrow">
          <label for="passcode">Console passcode</label>
          <input id="passcode" type="password" autocomplete="current-password" autofocus>
          <button type="submit" class="primary big" id="login">Log in</button>
          <p class="detail">The passcode is set on the controller with <code>stipple console passcode set</code>.</p>
        </form>
        """#
}
