from django.urls import path

from actionlines import views

app_name = "actionlines"

urlpatterns = [
    path("plans/", views.plan_list, name="plan_list"),
    path("plans/<int:pk>/", views.plan_detail, name="plan_detail"),
    path("activities/<int:pk>/", views.activity_detail, name="activity_detail"),
    path("activities/<int:pk>/progress/", views.activity_progress, name="activity_progress"),
]
