//! `kommo-sandbox`: a local, offline sandbox of the Kommo / amoCRM OAuth provider.
//!
//! ```text
//! cargo run -p kommo-sandbox -- --port 7070 --config sandbox/integrations.json
//! ```

mod guard;
mod hooks;
mod jwt;
mod leadexec;
mod pages;
mod routes;
mod store;

use clap::Parser;
use std::path::PathBuf;
use store::{Integration, Store};

/// A local sandbox of the Kommo OAuth provider.
#[derive(Parser)]
#[command(version, about)]
struct Args {
    /// Port to listen on (0 picks a free one).
    #[arg(long, default_value_t = 7070)]
    port: u16,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    host: String,
    /// JSON file with an array of integrations to register at start.
    #[arg(long)]
    config: Option<PathBuf>,
    /// A host name the sandbox is also reached by, besides loopback names (e.g. a tunnel).
    /// Requests naming any other host are refused (DNS rebinding).
    #[arg(long)]
    public_host: Option<String>,
    /// Register an integration: CLIENT_ID,CLIENT_SECRET,REDIRECT_URI[,NAME] (repeatable).
    #[arg(long = "integration", value_name = "SPEC")]
    integrations: Vec<String>,
    /// Register a LeadExec application: APP_ID,BUTTON_ID,NAME[,ORIGINS] with ORIGINS the
    /// space-separated origins its button is on (default: any loopback origin). Repeatable;
    /// without any, the demo's demo-app / demo-button.
    #[arg(long = "leadexec-app", value_name = "SPEC")]
    leadexec_apps: Vec<String>,
    /// Where the built drop-ins are (`le-app-button.js` is served from here at /js/).
    #[arg(long, default_value = "dist")]
    dist: PathBuf,
}

fn parse_leadexec_app(spec: &str) -> Result<leadexec::LeApp, String> {
    let parts: Vec<&str> = spec.splitn(3, ',').collect();
    let [app_id, button_id, name] = parts.as_slice() else {
        return Err(format!(
            "--leadexec-app {spec}: expected APP_ID,BUTTON_ID,NAME"
        ));
    };
    Ok(leadexec::LeApp {
        name: (*name).into(),
        ..leadexec::LeApp::with_ids(app_id, button_id)
    })
}

fn parse_spec(spec: &str) -> Result<Integration, String> {
    let parts: Vec<&str> = spec.splitn(4, ',').collect();
    let [client_id, client_secret, redirect_uri, rest @ ..] = parts.as_slice() else {
        return Err(format!(
            "--integration {spec}: expected CLIENT_ID,CLIENT_SECRET,REDIRECT_URI[,NAME]"
        ));
    };
    Ok(Integration {
        client_id: (*client_id).into(),
        client_secret: (*client_secret).into(),
        redirect_uri: (*redirect_uri).into(),
        name: rest
            .first()
            .copied()
            .unwrap_or("Sandbox integration")
            .into(),
        description: String::new(),
        logo: None,
        scopes: vec!["crm".into()],
        disconnect_uri: None,
        secrets_uri: None,
    })
}

fn load(args: &Args) -> Result<Store, String> {
    let mut store = Store::default();
    if let Some(path) = &args.config {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let list: Vec<Integration> =
            serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
        list.into_iter().for_each(|i| store.register(i));
    }
    for spec in &args.integrations {
        store.register(parse_spec(spec)?);
    }
    Ok(store)
}

#[tokio::main]
async fn main() {
    let args = Args::parse();
    let store = match load(&args) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("kommo-sandbox: {e}");
            std::process::exit(2);
        }
    };
    let listener = match tokio::net::TcpListener::bind((args.host.as_str(), args.port)).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!(
                "kommo-sandbox: cannot listen on {}:{}: {e}",
                args.host, args.port
            );
            std::process::exit(1);
        }
    };
    let addr = listener
        .local_addr()
        .map(|a| a.to_string())
        .unwrap_or_default();
    println!("Kommo sandbox provider: http://{addr}  (consent page /oauth, admin /sandbox/admin; LeadExec dialog /authorize/dialog)");
    let hosts = guard::Hosts {
        public: args.public_host.clone(),
    };
    // The signing key, made now rather than on the first token.
    jwt::init();
    let mut store = store;
    store.api_domain = match &args.public_host {
        Some(public) => public.clone(),
        None => addr.clone(),
    };
    let apps = match args
        .leadexec_apps
        .iter()
        .map(|s| parse_leadexec_app(s))
        .collect::<Result<Vec<_>, _>>()
    {
        Ok(apps) if apps.is_empty() => vec![leadexec::LeApp::demo()],
        Ok(apps) => apps,
        Err(e) => {
            eprintln!("kommo-sandbox: {e}");
            std::process::exit(2);
        }
    };
    let leadexec = leadexec::LeStore::new(apps, args.dist.clone());
    let app = routes::router(routes::App::new(store, leadexec), hosts);
    let shutdown = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    if let Err(e) = axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
    {
        eprintln!("kommo-sandbox: {e}");
    }
}
