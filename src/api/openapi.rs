//! The OpenAPI 3 document of `/api/v1`, generated from the route annotations (utoipa).
use rocket::serde::json::Json;
use rocket::{get, routes, Route};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

#[derive(OpenApi)]
#[openapi(
    info(title = "Egret LIMS API", description = "The JSON API of Egret, the laboratory information management system."),
    modifiers(&BearerAuth),
    paths(
        super::auth::create_token, super::auth::delete_token, super::auth::me,
        super::users::list, super::users::create, super::users::get_one, super::users::update,
        super::catalogue::matrices, super::catalogue::patch_matrix, super::catalogue::analytes,
        super::catalogue::methods_list, super::catalogue::method_one, super::catalogue::method_patch,
        super::catalogue::method_analytes, super::catalogue::method_analyte_one, super::catalogue::method_analyte_create,
        super::catalogue::method_analyte_patch, super::catalogue::packages, super::catalogue::package_one,
        super::catalogue::standards, super::catalogue::limits, super::catalogue::lab_get, super::catalogue::lab_put,
        super::system::audit_list, super::system::audit_verify, openapi_json,
        super::intake::create_work_order, super::intake::list_work_orders, super::intake::get_work_order,
        super::intake::import_csv, super::intake::csv_template, super::intake::list_samples, super::intake::get_sample,
        super::intake::receive, super::intake::reject, super::intake::custody, super::intake::holding_times, super::intake::labels, super::intake::update_sample,
        super::clients::list_clients, super::clients::create_client, super::clients::get_client, super::clients::update_client,
        super::clients::list_projects, super::clients::create_project, super::clients::get_project, super::clients::update_project,
        super::clients::list_points, super::clients::create_point, super::clients::get_point, super::clients::update_point,
        super::analysis::get_worklist, super::analysis::worklist_methods, super::analysis::create_batch,
        super::analysis::list_batches, super::analysis::get_batch, super::analysis::add_qc, super::analysis::remove_qc,
        super::analysis::put_results, super::analysis::import_results, super::analysis::submit_batch,
        super::analysis::list_profiles, super::analysis::create_profile, super::analysis::update_profile,
        super::review::review_queue, super::review::verify, super::review::approve, super::review::send_back,
        super::review::retest_analysis, super::review::analysis_history,
        super::reports::draft, super::reports::issue, super::reports::amend, super::reports::discard,
        super::reports::list, super::reports::get_report, super::reports::report_pdf,
        super::reports::results_csv, super::reports::results_xlsx, super::reports::portal_orders,
        super::reports::verify_json, super::reports::verify_pdf,
    ),
    components(schemas(crate::error::Problem, crate::error::FieldError))
)]
pub struct ApiDoc;

pub fn routes() -> Vec<Route> {
    routes![openapi_json]
}

/// This document.
#[utoipa::path(get, path = "/api/v1/openapi.json", tag = "meta", responses((status = 200, body = Object)))]
#[get("/openapi.json")]
pub fn openapi_json() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
